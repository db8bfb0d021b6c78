package io.pgque.spring.listener.adapter;

import java.util.List;

import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.core.PgqueAcknowledgement;

/**
 * What one call of a listener method gets: one message (or a slice of a batch, for batch
 * listeners), where it came from, and the acknowledgement handle.
 *
 * @param queue the queue
 * @param consumer the consumer
 * @param messages the messages, ascending by id
 * @param acknowledgement the manual-control handle
 * @author pgque-spring-boot authors
 */
public record PgqueInvocation(String queue, String consumer, List<PgqueMessage> messages,
		PgqueAcknowledgement acknowledgement) {

	/**
	 * The first (for single-message listeners: the only) message.
	 * @return the message
	 */
	public PgqueMessage message() {
		return this.messages.get(0);
	}

}
