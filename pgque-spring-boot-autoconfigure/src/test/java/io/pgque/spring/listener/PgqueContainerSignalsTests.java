package io.pgque.spring.listener;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker's signalling state, without a database.
 */
class PgqueContainerSignalsTests {

	private final PgqueContainerSignals signals = new PgqueContainerSignals();

	@Test
	void sleepWhenNothingHappensShouldTakeTheFullTime() {
		long start = System.nanoTime();
		assertThat(this.signals.sleep(Duration.ofMillis(50))).isTrue();
		assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
	}

	@Test
	void sleepWhenStopIsRequestedShouldEndAtOnceAndSayItWasCut() throws Exception {
		CompletableFuture<Boolean> slept = CompletableFuture
			.supplyAsync(() -> this.signals.sleep(Duration.ofMinutes(1)));
		Thread.sleep(50);
		this.signals.requestStop();
		assertThat(slept.get(5, TimeUnit.SECONDS)).isFalse();
		assertThat(this.signals.isStopRequested()).isTrue();
	}

	@Test
	void awaitWhenWokenUpShouldEndOnlyIfWakeable() throws Exception {
		this.signals.clearWakeUp();
		CompletableFuture<Void> wakeable = CompletableFuture
			.runAsync(() -> this.signals.await(Duration.ofMinutes(1), true));
		Thread.sleep(50);
		this.signals.wakeUp();
		wakeable.get(5, TimeUnit.SECONDS);
		long start = System.nanoTime();
		this.signals.await(Duration.ofMillis(50), false);
		assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
	}

	@Test
	void awaitWhenWakeUpIsPendingShouldReturnAtOnce() {
		this.signals.reset();
		long start = System.nanoTime();
		this.signals.await(Duration.ofMinutes(1), true);
		assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(5).toNanos());
	}

	@Test
	void resetShouldClearAStopRequest() {
		this.signals.requestStop();
		this.signals.reset();
		assertThat(this.signals.isStopRequested()).isFalse();
	}

	@Test
	void awaitWhenInterruptedShouldCountAsStop() throws Exception {
		Thread waiter = new Thread(() -> this.signals.await(Duration.ofMinutes(1), false));
		waiter.start();
		Thread.sleep(50);
		waiter.interrupt();
		waiter.join(5000);
		assertThat(waiter.isAlive()).isFalse();
		assertThat(this.signals.isStopRequested()).isTrue();
	}

	@Test
	void isAbandonedShouldHoldOnlyForTheAbandonedWorker() throws Exception {
		Thread worker = new Thread(() -> {
		});
		this.signals.abandon(worker);
		assertThat(this.signals.isAbandoned()).isFalse();
		this.signals.abandon(Thread.currentThread());
		assertThat(this.signals.isAbandoned()).isTrue();
		assertThat(CompletableFuture.supplyAsync(this.signals::isAbandoned).get(5, TimeUnit.SECONDS)).isFalse();
	}

}
