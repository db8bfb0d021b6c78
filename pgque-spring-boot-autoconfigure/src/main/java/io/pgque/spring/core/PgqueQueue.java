package io.pgque.spring.core;

/**
 * A queue declaration: declare beans of this type (or {@code pgque.queues.<name>.*}
 * properties) and {@link PgqueQueueDeclarer} creates the queue at start-up, or brings an
 * existing one up to date.
 *
 * @param name the queue name
 * @param config settings to apply; those not mentioned keep the starter's default on
 * creation (see {@link PgqueQueueDeclarer}) and stay as they are on an existing queue
 * @author pgque-spring-boot authors
 */
public record PgqueQueue(String name, PgqueQueueConfig config) {

	public PgqueQueue {
		PgqueNames.requireQueue(name);
	}

	/**
	 * Declare a queue with the starter's defaults.
	 * @param name the queue name
	 * @return the declaration
	 */
	public static PgqueQueue of(String name) {
		return new PgqueQueue(name, PgqueQueueConfig.empty());
	}

}
