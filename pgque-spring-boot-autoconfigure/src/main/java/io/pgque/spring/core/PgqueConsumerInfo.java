package io.pgque.spring.core;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * One subscription's position, from {@code pgque.get_consumer_info}.
 *
 * @param queue the queue name
 * @param consumer the consumer name
 * @param lag how far behind the consumer's cursor is (now minus the cursor tick's time)
 * @param lastSeen time since the consumer last received or acknowledged
 * @param lastTick the cursor tick
 * @param currentBatch the open batch, {@code null} when none is open
 * @param nextTick the end tick of the open batch
 * @param pendingEvents events ticked but not yet consumed (an estimate)
 * @author pgque-spring-boot authors
 */
public record PgqueConsumerInfo(String queue, String consumer, @Nullable Duration lag, @Nullable Duration lastSeen,
		@Nullable Long lastTick, @Nullable Long currentBatch, @Nullable Long nextTick, @Nullable Long pendingEvents) {

}
