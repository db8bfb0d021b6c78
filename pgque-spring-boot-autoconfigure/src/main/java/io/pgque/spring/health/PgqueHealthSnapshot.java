package io.pgque.spring.health;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What one health probe read from the database.
 *
 * @param version the engine's version
 * @param queues the queues, by name
 * @param consumers the subscriptions, by queue then consumer
 * @author pgque-spring-boot authors
 */
public record PgqueHealthSnapshot(String version, List<Queue> queues, List<Consumer> consumers) {

	/**
	 * A queue's ticker state and dead letters.
	 *
	 * @param name the queue
	 * @param externalTicker whether an external ticker ticks it
	 * @param tickerPaused whether its ticking is paused
	 * @param tickerMaxLag age of the oldest waiting event that makes it tick
	 * @param tickerIdlePeriod longest gap between ticks when idle
	 * @param tickerLag time since its newest tick
	 * @param newEvents events sent since the newest tick (an estimate)
	 * @param deadLetters dead letters, counted up to the configured limit
	 * @param deadLettersAtLeast whether the count stopped at the limit (there may be
	 * more)
	 */
	public record Queue(String name, boolean externalTicker, boolean tickerPaused, Duration tickerMaxLag,
			Duration tickerIdlePeriod, Duration tickerLag, long newEvents, long deadLetters,
			boolean deadLettersAtLeast) {

	}

	/**
	 * A subscription's position.
	 *
	 * @param queue the queue
	 * @param consumer the consumer
	 * @param lag how far its cursor is behind
	 * @param pendingEvents events ticked but not yet consumed (an estimate)
	 * @param currentBatch its open batch, or {@code null}
	 */
	public record Consumer(String queue, String consumer, Duration lag, long pendingEvents,
			@Nullable Long currentBatch) {

	}

}
