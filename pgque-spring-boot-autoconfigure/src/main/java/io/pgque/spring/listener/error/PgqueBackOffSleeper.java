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

}
