package io.pgque.spring.listener.error;

import java.time.Duration;

/**
 * Sleeps between in-place attempts, waking at once when the container stops.
 *
 * @author pgque-spring-boot authors
 */
@FunctionalInterface
public interface PgqueBackOffSleeper {

	/**
	 * Sleep.
	 * @param duration how long
	 * @return {@code true} if the full time passed, {@code false} if the sleep was cut
	 * short because the container is stopping
	 */
	boolean sleep(Duration duration);

	/**
	 * Whether the batch in hand is to be given up: its container was stopped and the
	 * batch did not finish within the shutdown timeout. Such a batch must roll back, so
	 * that it is delivered again as a whole; nothing of it may be nacked or acked.
	 * @return whether to abandon the batch in hand
	 */
	default boolean isAbandoned() {
		return false;
	}

}
