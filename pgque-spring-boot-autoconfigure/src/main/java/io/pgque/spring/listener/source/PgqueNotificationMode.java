package io.pgque.spring.listener.source;

/**
 * How idle containers learn that their queue got a tick.
 *
 * @author pgque-spring-boot authors
 */
public enum PgqueNotificationMode {

	/**
	 * {@link #POLL} when the notification connection goes through a pooler (LISTEN hears
	 * nothing through one in transaction mode), {@link #LISTEN} otherwise.
	 */
	AUTO,

	/**
	 * LISTEN on one connection per application; idle containers send no queries.
	 */
	LISTEN,

	/**
	 * Wake every container at a fixed, short interval; each wake-up costs the container
	 * one read-only query when there is nothing to do (no write, no transaction id).
	 */
	POLL

}
