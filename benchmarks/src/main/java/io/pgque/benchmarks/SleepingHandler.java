package io.pgque.benchmarks;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener that sleeps per event, as a handler waiting on a remote call does, and notes
 * when the last of a run's events came.
 */
final class SleepingHandler {

	private final int total;

	private final long sleepMillis;

	private final AtomicInteger handled = new AtomicInteger();

	private final CountDownLatch done = new CountDownLatch(1);

	private volatile long finishedAt;

	SleepingHandler(int total, long sleepMillis) {
		this.total = total;
		this.sleepMillis = sleepMillis;
	}

	void on(String payload) throws InterruptedException {
		Thread.sleep(this.sleepMillis);
		if (this.handled.incrementAndGet() == this.total) {
			this.finishedAt = System.nanoTime();
			this.done.countDown();
		}
	}

	/**
	 * Wait for the last event and return the rate since a start.
	 * @param startedNanos when the run started ({@link System#nanoTime()})
	 * @return events per second
	 * @throws InterruptedException if interrupted
	 */
	double awaitRate(long startedNanos) throws InterruptedException {
		if (!this.done.await(5, TimeUnit.MINUTES)) {
			throw new IllegalStateException("handled " + this.handled.get() + " of " + this.total + " events");
		}
		return this.total / ((this.finishedAt - startedNanos) / 1e9);
	}

}
