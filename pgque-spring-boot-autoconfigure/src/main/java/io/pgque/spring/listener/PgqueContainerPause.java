package io.pgque.spring.listener;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * Whether a container is paused, and until when. A pause for a duration ends by itself:
 * the first worker that finds it over ends it.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueContainerPause {

	private volatile boolean paused;

	private volatile long untilNanos;

	boolean isPaused() {
		return this.paused;
	}

	/**
	 * Pause.
	 * @param duration how long, or {@code null} until {@link #end()}
	 */
	void begin(@Nullable Duration duration) {
		this.untilNanos = (duration != null) ? System.nanoTime() + duration.toNanos() : Long.MAX_VALUE;
		this.paused = true;
	}

	/**
	 * End the pause.
	 * @return whether it was paused (only one of two concurrent calls says so)
	 */
	synchronized boolean end() {
		boolean was = this.paused;
		this.paused = false;
		return was;
	}

	/**
	 * When a pause for a duration ends.
	 * @return the end, or {@code null} when not paused or paused until resumed
	 */
	@Nullable Instant until() {
		long until = this.untilNanos;
		if (!this.paused || until == Long.MAX_VALUE) {
			return null;
		}
		return Instant.now().plusNanos(until - System.nanoTime());
	}

	/**
	 * How long a paused worker waits before it looks again.
	 * @return the wait, or zero when a pause for a duration is over
	 */
	Duration remaining() {
		long until = this.untilNanos;
		if (until == Long.MAX_VALUE) {
			// until resumed (and no subtraction that a negative nanoTime could overflow)
			return Duration.ofSeconds(1);
		}
		long remaining = until - System.nanoTime();
		return Duration.ofNanos(Math.max(0, Math.min(remaining, Duration.ofSeconds(1).toNanos())));
	}

}
