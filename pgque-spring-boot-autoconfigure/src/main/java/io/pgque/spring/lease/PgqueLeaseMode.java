package io.pgque.spring.lease;

/**
 * How consumer leases and ticker leadership are kept.
 *
 * @author pgque-spring-boot authors
 */
public enum PgqueLeaseMode {

	/**
	 * A session advisory lock on a dedicated connection: released by PostgreSQL the
	 * moment the holder's session ends, so a standby takes over within its retry
	 * interval. Needs a direct connection (or a pooler in session mode), and any login on
	 * the database can take the keys.
	 */
	ADVISORY,

	/**
	 * A row in {@code pgque.lease} with an owner, an expiry renewed by heartbeat and a
	 * fencing epoch checked by the statements that open and finish a batch. Works through
	 * any pooler, and only the engine's roles can hold it; a dead holder is replaced once
	 * its lease expires.
	 */
	TABLE,

	/**
	 * {@link #TABLE} when the connection goes through a pooler, or when logins without a
	 * PgQue role can connect to the database; {@link #ADVISORY} otherwise (see
	 * {@link PgqueLeaseModeDetector}).
	 */
	AUTO

}
