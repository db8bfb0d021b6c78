package io.pgque.spring.observation;

import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import io.pgque.spring.core.PgqueMessage;
import org.jspecify.annotations.Nullable;

/**
 * The context of a {@code pgque.process} observation: one message handled by a listener.
 * A tracer reads the sender's trace context from the message's {@code extra4} field (see
 * {@link PgqueTraceContext}).
 *
 * @author pgque-spring-boot authors
 */
public class PgqueProcessContext extends ReceiverContext<PgqueMessage> {

	private final String queue;

	private final String consumer;

	private final boolean batchListener;

	private @Nullable String outcome;

	/**
	 * Create a context.
	 * @param queue the queue
	 * @param consumer the consumer
	 * @param message the message
	 * @param batchListener whether a batch listener handles it with other messages
	 */
	public PgqueProcessContext(String queue, String consumer, PgqueMessage message, boolean batchListener) {
		super((carrier, name) -> PgqueTraceContext.parse(carrier.extra4()).get(name), Kind.CONSUMER);
		this.queue = queue;
		this.consumer = consumer;
		this.batchListener = batchListener;
		setCarrier(message);
		setRemoteServiceName("pgque");
	}

	public String getQueue() {
		return this.queue;
	}

	public String getConsumer() {
		return this.consumer;
	}

	public PgqueMessage getMessage() {
		PgqueMessage message = getCarrier();
		if (message == null) {
			throw new IllegalStateException("No message");
		}
		return message;
	}

	public boolean isBatchListener() {
		return this.batchListener;
	}

	/**
	 * How the message ended: {@code success}, {@code retried}, {@code nacked},
	 * {@code dead-lettered}, {@code unknown-type}.
	 * @return the outcome, or {@code null} while unknown
	 */
	public @Nullable String getOutcome() {
		return this.outcome;
	}

	public void setOutcome(@Nullable String outcome) {
		this.outcome = outcome;
	}

}
