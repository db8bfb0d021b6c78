package io.pgque.spring.listener;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A container's pause, without a database.
 */
class PgqueContainerPauseTests {

	private final PgqueContainerPause pause = new PgqueContainerPause();

	@Test
	void pauseUntilResumedShouldNeverRunOut() {
		this.pause.begin(null);
		assertThat(this.pause.isPaused()).isTrue();
		assertThat(this.pause.until()).isNull();
		// a waiter looks again within a second, and is never told the pause is over
		assertThat(this.pause.remaining()).isEqualTo(Duration.ofSeconds(1));
		assertThat(this.pause.end()).isTrue();
		assertThat(this.pause.isPaused()).isFalse();
	}

	@Test
	void pauseForADurationShouldRunOut() throws InterruptedException {
		this.pause.begin(Duration.ofMillis(30));
		assertThat(this.pause.until()).isNotNull();
		assertThat(this.pause.remaining()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(30));
		Thread.sleep(60);
		assertThat(this.pause.remaining()).isZero();
	}

	@Test
	void endShouldSayPausedOnlyOnce() {
		this.pause.begin(Duration.ofMinutes(5));
		assertThat(this.pause.end()).isTrue();
		assertThat(this.pause.end()).isFalse();
		assertThat(this.pause.until()).isNull();
	}

}
