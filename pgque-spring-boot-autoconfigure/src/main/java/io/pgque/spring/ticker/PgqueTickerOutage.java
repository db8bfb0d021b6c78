package io.pgque.spring.ticker;

import java.sql.SQLException;
import java.time.Duration;

import org.apache.commons.logging.Log;

/**
 * Tracks one kind of failure of the ticker (losing the database, or one task failing) so
 * that an outage is logged once when it starts and once when it ends, and computes the
 * back-off between attempts while it lasts.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueTickerOutage {

	private static final String QUERY_CANCELED = "57014";

	private static final long FIRST_BACKOFF_NANOS = Duration.ofMillis(100).toNanos();

	private final Log logger;

	private final String what;

	private final long maxBackoffNanos;

	private int failures;

	private long startedNanos;

	PgqueTickerOutage(Log logger, String what, Duration maxBackoff) {
		this.logger = logger;
		this.what = what;
		this.maxBackoffNanos = maxBackoff.toNanos();
	}

	boolean isOngoing() {
		return this.failures > 0;
	}

	/**
	 * Record a failure: the first of an outage is logged as a warning, the rest only at
	 * debug level.
	 * @param ex the failure
	 * @param nowNanos the current {@link System#nanoTime()}
	 * @return how long to wait before the next attempt, in nanoseconds
	 */
	long failed(Exception ex, long nowNanos) {
		if (this.failures == 0) {
			this.startedNanos = nowNanos;
			if (this.logger.isWarnEnabled()) {
				this.logger.warn("PgQue ticker: " + this.what + " failed, retrying with back-off until it recovers: "
						+ describe(ex));
			}
		}
		else if (this.logger.isDebugEnabled()) {
			this.logger.debug("PgQue ticker: " + this.what + " failed again (" + (this.failures + 1) + " failures): "
					+ describe(ex));
		}
		this.failures++;
		int doublings = Math.min(this.failures - 1, 30);
		return Math.min(this.maxBackoffNanos, FIRST_BACKOFF_NANOS << doublings);
	}

	/**
	 * Record a success; ends an outage, and logs that it did.
	 * @param nowNanos the current {@link System#nanoTime()}
	 */
	void succeeded(long nowNanos) {
		if (this.failures == 0) {
			return;
		}
		if (this.logger.isInfoEnabled()) {
			this.logger.info("PgQue ticker: " + this.what + " recovered after "
					+ Duration.ofNanos(nowNanos - this.startedNanos).toMillis() + " ms and " + this.failures
					+ ((this.failures == 1) ? " failure" : " failures"));
		}
		this.failures = 0;
	}

	private static String describe(Exception ex) {
		String message = ex.getMessage();
		String description = ex.getClass().getSimpleName() + ((message != null) ? ": " + message.strip() : "");
		if (ex instanceof SQLException sqlException && QUERY_CANCELED.equals(sqlException.getSQLState())) {
			// the JDBC query timeout cancels the statement, which reads as "user request"
			return "statement cancelled (pgque.ticker.query-timeout or an administrator): " + description;
		}
		return description;
	}

}
