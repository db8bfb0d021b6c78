package io.pgque.spring.ticker;

import java.time.Duration;

/**
 * Timing of the embedded ticker.
 *
 * @param tickPeriod how often the leader calls {@code pgque.ticker()}
 * @param retryPeriod how often the leader moves due retries back into their queues
 * @param maintenancePeriod how often the leader rotates event tables and runs
 * {@code pgque.maint()}
 * @param takeoverInterval how often an instance that is not the leader tries to become
 * it; bounds the time to take over from a leader that stopped
 * @param queryTimeout the longest a single ticker statement may run
 * @param maxBackoff the longest pause between attempts while the database fails
 * @author pgque-spring-boot authors
 */
public record PgqueTickerOptions(Duration tickPeriod, Duration retryPeriod, Duration maintenancePeriod,
		Duration takeoverInterval, Duration queryTimeout, Duration maxBackoff) {

	/**
	 * Validates the options.
	 * @param tickPeriod how often to tick
	 * @param retryPeriod how often to move retries
	 * @param maintenancePeriod how often to run maintenance
	 * @param takeoverInterval how often a standby tries to become the leader
	 * @param queryTimeout the statement timeout
	 * @param maxBackoff the longest back-off
	 */
	public PgqueTickerOptions {
		requirePositive("tick-period", tickPeriod);
		requirePositive("retry-period", retryPeriod);
		requirePositive("maintenance-period", maintenancePeriod);
		requirePositive("takeover-interval", takeoverInterval);
		requirePositive("query-timeout", queryTimeout);
		requirePositive("max-backoff", maxBackoff);
		if (queryTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
			// JDBC query timeouts are whole seconds
			throw new IllegalArgumentException(
					"pgque.ticker.query-timeout must be at least 1 second but was " + queryTimeout);
		}
	}

	/**
	 * The defaults: tick every 100 ms, move retries every second, maintain every 30
	 * seconds, try to take over every 2 seconds, 10-second statements, back-off up to 10
	 * seconds.
	 * @return the default options
	 */
	public static PgqueTickerOptions defaults() {
		return new PgqueTickerOptions(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(30),
				Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10));
	}

	private static void requirePositive(String name, Duration value) {
		if (value == null || value.isZero() || value.isNegative()) {
			throw new IllegalArgumentException("pgque.ticker." + name + " must be positive but was " + value);
		}
	}

}
