package io.pgque.spring.test;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.pgque.spring.core.PgqueConsumerInfo;
import io.pgque.spring.core.PgqueDeadLetter;
import io.pgque.spring.core.PgqueQueueInfo;
import io.pgque.spring.core.PgqueTemplate;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Helpers for tests of applications that use PgQue: tick a queue now, wait until a
 * consumer has caught up or has handled a number of events, read dead letters, drain
 * everything. {@link PgqueTest} makes it a bean; every wait gives up after
 * {@link #DEFAULT_TIMEOUT} (or the timeout given) with an {@link AssertionError} that
 * says what it waited for.
 */
public class PgqueTestSupport {

	/** How long the waits wait unless told otherwise. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

	private static final int DEAD_LETTER_LIMIT = 10_000;

	private final PgqueTemplate pgque;

	private final JdbcTemplate jdbc;

	private final PgqueHandledEvents handledEvents;

	PgqueTestSupport(PgqueTemplate pgque, DataSource dataSource, PgqueHandledEvents handledEvents) {
		this.pgque = pgque;
		this.jdbc = new JdbcTemplate(dataSource);
		this.handledEvents = handledEvents;
	}

	/**
	 * Tick a queue now, so that what was sent before is ready for its consumers.
	 * @param queue the queue
	 * @return the id of the new tick
	 */
	public long tick(String queue) {
		Long tick = this.pgque.forceTick(queue);
		if (tick == null) {
			throw new IllegalArgumentException("Queue '" + queue + "' has no tick: does it exist?");
		}
		return tick;
	}

	/**
	 * Wait until a consumer has finished every batch holding events sent before this call
	 * (events it nacked may still come back later, from the retry queue).
	 * @param queue the queue
	 * @param consumer the consumer
	 */
	public void awaitCaughtUp(String queue, String consumer) {
		awaitCaughtUp(queue, consumer, DEFAULT_TIMEOUT);
	}

	/**
	 * Wait until a consumer has finished every batch holding events sent before this
	 * call.
	 * @param queue the queue
	 * @param consumer the consumer
	 * @param timeout how long to wait at most
	 */
	public void awaitCaughtUp(String queue, String consumer, Duration timeout) {
		long tick = tick(queue);
		await(() -> caughtUp(queue, consumer, tick), timeout, () -> "consumer '" + consumer + "' of queue '" + queue
				+ "' to reach tick " + tick + ", it is at " + consumerInfo(queue, consumer));
	}

	private boolean caughtUp(String queue, String consumer, long tick) {
		PgqueConsumerInfo info = consumerInfo(queue, consumer);
		return info != null && info.currentBatch() == null && info.lastTick() != null && info.lastTick() >= tick;
	}

	private @Nullable PgqueConsumerInfo consumerInfo(String queue, String consumer) {
		return this.pgque.getConsumerInfo(queue, consumer).orElse(null);
	}

	/**
	 * Wait until the {@code @PgqueListener} methods of a consumer have returned normally
	 * for at least this many events since the context started (or since
	 * {@link #resetHandledCounts()}).
	 * @param consumer the consumer, as written in {@code @PgqueListener(consumer = ...)}
	 * @param events how many events
	 */
	public void awaitHandled(String consumer, long events) {
		awaitHandled(consumer, events, DEFAULT_TIMEOUT);
	}

	/**
	 * Wait until the listener methods of a consumer have handled this many events.
	 * @param consumer the consumer, as written in {@code @PgqueListener(consumer = ...)}
	 * @param events how many events
	 * @param timeout how long to wait at most
	 */
	public void awaitHandled(String consumer, long events, Duration timeout) {
		await(() -> handled(consumer) >= events, timeout, () -> "consumer '" + consumer + "' to handle " + events
				+ " events, it has handled " + handled(consumer));
	}

	/**
	 * How many events the listener methods of a consumer have handled (returned
	 * normally).
	 * @param consumer the consumer, as written in {@code @PgqueListener(consumer = ...)}
	 * @return the count since the context started or the last reset
	 */
	public long handled(String consumer) {
		return this.handledEvents.handled(consumer);
	}

	/**
	 * Set every handled-event count back to zero.
	 */
	public void resetHandledCounts() {
		this.handledEvents.reset();
	}

	/**
	 * The dead letters of a queue, oldest first.
	 * @param queue the queue
	 * @return the dead letters
	 */
	public List<PgqueDeadLetter> deadLetters(String queue) {
		return this.pgque.getDeadLetters(queue, DEAD_LETTER_LIMIT);
	}

	/**
	 * Wait until a queue has at least this many dead letters, and return them.
	 * @param queue the queue
	 * @param count how many
	 * @return the dead letters
	 */
	public List<PgqueDeadLetter> awaitDeadLetters(String queue, int count) {
		await(() -> deadLetters(queue).size() >= count, DEFAULT_TIMEOUT,
				() -> count + " dead letters in queue '" + queue + "', there are " + deadLetters(queue).size());
		return deadLetters(queue);
	}

	/**
	 * Drain everything: wait until every consumer of every queue has caught up and no
	 * nacked event waits in the retry queue any more (each was handled, or has gone to
	 * the dead letters). Use it between tests that share a context.
	 */
	public void drain() {
		drain(DEFAULT_TIMEOUT);
	}

	/**
	 * Drain everything, waiting at most this long.
	 * @param timeout how long to wait at most
	 */
	public void drain(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		// Done only after a whole round that began with the retry queue empty: an event
		// the mover took out of it just before an emptiness check still had to be
		// delivered again, and a round's ticks include it only when they follow the move.
		boolean retriesBefore;
		do {
			retriesBefore = retriesWaiting();
			for (PgqueQueueInfo queue : this.pgque.getQueueInfo()) {
				for (PgqueConsumerInfo consumer : this.pgque.getConsumerInfo(queue.name())) {
					awaitCaughtUp(queue.name(), consumer.consumer(), remaining(deadline));
				}
			}
		}
		while ((retriesBefore || retriesWaiting()) && pause(deadline, "the retry queue to empty"));
	}

	private boolean retriesWaiting() {
		Long waiting = this.jdbc.queryForObject("SELECT count(*) FROM pgque.retry_queue", Long.class);
		return waiting != null && waiting > 0;
	}

	private static Duration remaining(long deadline) {
		return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
	}

	/**
	 * Wait for a condition of the test's own, checking it every 20 ms.
	 * @param condition the condition
	 * @param timeout how long to wait at most
	 * @param what what is awaited, for the failure message
	 */
	public void await(BooleanSupplier condition, Duration timeout, Supplier<String> what) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			pause(deadline, what.get());
		}
	}

	private static boolean pause(long deadline, String what) {
		if (System.nanoTime() - deadline > 0) {
			throw new AssertionError("Timed out waiting for " + what);
		}
		try {
			Thread.sleep(20);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("Interrupted while waiting for " + what, ex);
		}
		return true;
	}

}
