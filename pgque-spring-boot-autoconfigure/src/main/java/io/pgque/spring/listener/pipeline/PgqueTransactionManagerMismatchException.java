package io.pgque.spring.listener.pipeline;

import io.pgque.spring.PgqueException;

/**
 * A listener container's transaction manager does not manage the PgQue DataSource: the
 * ack could not commit together with the handlers' writes. Raised when the container is
 * created if the manager names its DataSource, otherwise when a batch is opened.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueTransactionManagerMismatchException extends PgqueException {

	/**
	 * Create the exception.
	 * @param consumer the (queue, consumer) of the container
	 * @param transactionManager the class of its transaction manager, or {@code none}
	 */
	public PgqueTransactionManagerMismatchException(String consumer, String transactionManager) {
		super("The transaction manager of the listener container for " + consumer + " (" + transactionManager
				+ ") does not manage the PgQue DataSource, so the ack could not commit together with the handlers'"
				+ " writes; point pgque.listener.transaction-manager at a transaction manager of that DataSource,"
				+ " or leave it unset");
	}

}
