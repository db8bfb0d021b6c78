package io.pgque.spring.core;

import io.pgque.spring.PgqueException;

/**
 * Thrown when a call names a queue that does not exist.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueQueueNotFoundException extends PgqueException {

	private final String queue;

	public PgqueQueueNotFoundException(String queue, Throwable cause) {
		super("PgQue queue '" + queue + "' not found; create it first (PgqueAdminOperations.createQueue or "
				+ "pgque.queues." + queue + ".* properties)", cause);
		this.queue = queue;
	}

	/**
	 * The queue that was not found.
	 * @return the queue name
	 */
	public String getQueue() {
		return this.queue;
	}

}
