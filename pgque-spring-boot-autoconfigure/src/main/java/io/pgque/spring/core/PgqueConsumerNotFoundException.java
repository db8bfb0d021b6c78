package io.pgque.spring.core;

import io.pgque.spring.PgqueException;

/**
 * Thrown when a consumer is not subscribed to the queue a call names.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueConsumerNotFoundException extends PgqueException {

	private final String queue;

	private final String consumer;

	public PgqueConsumerNotFoundException(String queue, String consumer, Throwable cause) {
		super("PgQue consumer '" + consumer + "' is not subscribed to queue '" + queue
				+ "'; subscribe it first (PgqueAdminOperations.subscribe)", cause);
		this.queue = queue;
		this.consumer = consumer;
	}

	/**
	 * The queue the consumer is not subscribed to.
	 * @return the queue name
	 */
	public String getQueue() {
		return this.queue;
	}

	/**
	 * The consumer that is not subscribed.
	 * @return the consumer name
	 */
	public String getConsumer() {
		return this.consumer;
	}

}
