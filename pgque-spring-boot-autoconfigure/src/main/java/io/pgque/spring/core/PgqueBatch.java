package io.pgque.spring.core;

import java.util.List;

/**
 * An open batch: every event of one tick window for one consumer, in event-id order.
 * Acknowledging it moves the consumer's cursor past all of it.
 *
 * @param id the batch id
 * @param queue the queue name
 * @param consumer the consumer name
 * @param messages the messages, ascending by id
 * @author pgque-spring-boot authors
 */
public record PgqueBatch(long id, String queue, String consumer, List<PgqueMessage> messages) {

	public PgqueBatch {
		messages = List.copyOf(messages);
	}

	public int size() {
		return this.messages.size();
	}

}
