package io.pgque.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stopping worker threads within a shutdown timeout, without a database.
 */
class PgqueWorkerThreadTests {

	@Test
	void awaitOrAbandonShouldLeaveAWorkerThatFinishesInTimeAlone() {
		PgqueContainerSignals signals = new PgqueContainerSignals();
		AtomicBoolean abandoned = new AtomicBoolean();
		Thread thread = new Thread(() -> {
			signals.await(Duration.ofMinutes(1), false);
			abandoned.set(signals.isAbandoned());
		});
		thread.start();
		signals.requestStop();
		PgqueWorkerThread.awaitOrAbandon(List.of(new PgqueWorkerThread("w", thread, signals)), Duration.ofSeconds(5),
				"x");
		assertThat(thread.isAlive()).isFalse();
		assertThat(abandoned).isFalse();
	}

	@Test
	void awaitOrAbandonShouldAbandonAndInterruptAWorkerStillInItsBatch() throws InterruptedException {
		PgqueContainerSignals first = new PgqueContainerSignals();
		PgqueContainerSignals second = new PgqueContainerSignals();
		CountDownLatch inBatch = new CountDownLatch(2);
		AtomicBoolean firstAbandoned = new AtomicBoolean();
		AtomicBoolean secondAbandoned = new AtomicBoolean();
		Thread stuck = stuckWorker(first, inBatch, firstAbandoned);
		Thread alsoStuck = stuckWorker(second, inBatch, secondAbandoned);
		assertThat(inBatch.await(5, TimeUnit.SECONDS)).isTrue();
		long start = System.nanoTime();
		// the timeout is shared: two stuck workers take it once, not twice
		PgqueWorkerThread.awaitOrAbandon(List.of(new PgqueWorkerThread("first", stuck, first),
				new PgqueWorkerThread("second", alsoStuck, second)), Duration.ofMillis(300), "x");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
		assertThat(stuck.isAlive()).isFalse();
		assertThat(alsoStuck.isAlive()).isFalse();
		assertThat(firstAbandoned).isTrue();
		assertThat(secondAbandoned).isTrue();
	}

	// a handler that ignores the stop request and sleeps until interrupted
	private static Thread stuckWorker(PgqueContainerSignals signals, CountDownLatch inBatch, AtomicBoolean abandoned) {
		Thread thread = new Thread(() -> {
			inBatch.countDown();
			try {
				Thread.sleep(60_000);
			}
			catch (InterruptedException ex) {
				abandoned.set(signals.isAbandoned());
			}
		});
		thread.start();
		return thread;
	}

}
