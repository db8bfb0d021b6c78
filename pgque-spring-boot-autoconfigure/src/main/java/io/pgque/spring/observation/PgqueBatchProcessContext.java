package io.pgque.spring.observation;

import java.util.List;

import io.micrometer.observation.Observation;

/**
 * The context of a {@code pgque.process.batch} observation: one call of a batch listener
 * with several messages. Each message has its own {@code pgque.process} observation in
 * the sender's trace; with a tracer, the batch's span links to every one of those spans
 * (see {@link PgqueBatchProcessTracingHandler}).
 *
 * @author pgque-spring-boot authors
 */
public class PgqueBatchProcessContext extends Observation.Context {

	private final String queue;

	private final String consumer;

	private final long batchId;

	private final List<PgqueProcessContext> messages;

	/**
	 * Create a context.
	 * @param queue the queue
	 * @param consumer the consumer
	 * @param batchId the batch the messages came in
	 * @param messages the contexts of the messages' own observations, started before this
	 * one
	 */
	public PgqueBatchProcessContext(String queue, String consumer, long batchId, List<PgqueProcessContext> messages) {
		this.queue = queue;
		this.consumer = consumer;
		this.batchId = batchId;
		this.messages = List.copyOf(messages);
	}

	public String getQueue() {
		return this.queue;
	}

	public String getConsumer() {
		return this.consumer;
	}

	public long getBatchId() {
		return this.batchId;
	}

	/**
	 * The messages of the call.
	 * @return the contexts of their {@code pgque.process} observations
	 */
	public List<PgqueProcessContext> getMessages() {
		return this.messages;
	}

}
