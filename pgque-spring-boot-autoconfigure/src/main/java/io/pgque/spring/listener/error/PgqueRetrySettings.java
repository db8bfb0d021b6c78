package io.pgque.spring.listener.error;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * How a failing message is retried: attempts in place with exponential back-off, then a
 * nack that delivers it again after {@code retryDelay} (or dead-letters it at the queue's
 * retry limit).
 *
 * @param maxAttempts attempts in place, the first one included (at least 1)
 * @param initialBackOff the delay before the second attempt
 * @param multiplier the factor each further delay grows by
 * @param maxBackOff the longest delay between attempts
 * @param retryDelay the delay the nack asks for
 * @author pgque-spring-boot authors
 */
public record PgqueRetrySettings(int maxAttempts, Duration initialBackOff, double multiplier, Duration maxBackOff,
		Duration retryDelay) {

	/**
	 * Defaults: 3 attempts, 200 ms back-off doubling up to 5 s, retry after 60 s.
	 */
	public static final PgqueRetrySettings DEFAULTS = new PgqueRetrySettings(3, Duration.ofMillis(200), 2.0,
			Duration.ofSeconds(5), Duration.ofSeconds(60));

	public PgqueRetrySettings {
		Assert.isTrue(maxAttempts >= 1, () -> "maxAttempts must be at least 1 but was " + maxAttempts);
		Assert.isTrue(!initialBackOff.isNegative(), "initialBackOff must not be negative");
		Assert.isTrue(multiplier >= 1.0, () -> "multiplier must be at least 1 but was " + multiplier);
		Assert.isTrue(!maxBackOff.isNegative(), "maxBackOff must not be negative");
		Assert.isTrue(!retryDelay.isNegative(), "retryDelay must not be negative");
	}

	public PgqueRetrySettings withMaxAttempts(int maxAttempts) {
		return new PgqueRetrySettings(maxAttempts, this.initialBackOff, this.multiplier, this.maxBackOff,
				this.retryDelay);
	}

	public PgqueRetrySettings withInitialBackOff(Duration initialBackOff) {
		return new PgqueRetrySettings(this.maxAttempts, initialBackOff, this.multiplier, this.maxBackOff,
				this.retryDelay);
	}

	public PgqueRetrySettings withRetryDelay(Duration retryDelay) {
		return new PgqueRetrySettings(this.maxAttempts, this.initialBackOff, this.multiplier, this.maxBackOff,
				retryDelay);
	}

	/**
	 * The back-off before an in-place attempt: {@code initialBackOff} before the second,
	 * growing by {@code multiplier} for each further one, at most {@code maxBackOff} (or
	 * {@code initialBackOff} if that is longer).
	 * @param attempt the attempt to be made, from 2
	 * @return the back-off
	 */
	public Duration backOffBefore(int attempt) {
		Assert.isTrue(attempt >= 2, () -> "attempt must be at least 2 but was " + attempt);
		long max = Math.max(this.maxBackOff.toMillis(), this.initialBackOff.toMillis());
		double millis = this.initialBackOff.toMillis();
		for (int i = 2; i < attempt && millis < max; i++) {
			millis *= this.multiplier;
		}
		return Duration.ofMillis((long) Math.min(millis, max));
	}

}
