package io.pgque.spring.listener.pipeline;

/**
 * How a container wraps a batch in transactions.
 *
 * @author pgque-spring-boot authors
 */
public enum PgqueTransactionMode {

	/**
	 * {@link #SAVEPOINT} when the container's transaction manager is a
	 * {@code DataSourceTransactionManager}, {@link #REPLAY} otherwise (e.g. JPA).
	 */
	AUTO,

	/**
	 * The whole batch in one transaction with a savepoint per message: a handler's
	 * database writes commit atomically with the ack, a failing message rolls back to its
	 * savepoint. Needs a {@code DataSourceTransactionManager}: with any other transaction
	 * manager (e.g. JPA's, which flushes a failed message's entities from its persistence
	 * context at commit) a container refuses to start in this mode.
	 */
	SAVEPOINT,

	/**
	 * The whole batch in one transaction without savepoints: a failing message rolls back
	 * the whole transaction, which is then run again with that message settled (retried
	 * later or dead-lettered) instead of handled. Handlers of the other messages run
	 * again, so their non-transactional side effects may repeat. Sound for transaction
	 * managers that cannot roll back part of a transaction, such as JPA's.
	 */
	REPLAY,

	/**
	 * Handlers run outside any container transaction; the batch is acked after the last
	 * one. A crash before the ack re-delivers the batch.
	 */
	AT_LEAST_ONCE

}
