package io.pgque.spring.autoconfigure;

import java.time.Duration;

import io.pgque.spring.schema.PgqueSchemaMode;
import io.pgque.spring.ticker.PgqueTickerMode;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for PgQue.
 *
 * @author pgque-spring-boot authors
 */
@ConfigurationProperties("pgque")
public class PgqueProperties {

	private final Schema schema = new Schema();

	private final Template template = new Template();

	private final Listener listener = new Listener();

	private final Ticker ticker = new Ticker();

	public Schema getSchema() {
		return this.schema;
	}

	public Template getTemplate() {
		return this.template;
	}

	public Listener getListener() {
		return this.listener;
	}

	public Ticker getTicker() {
		return this.ticker;
	}

	/**
	 * How the engine is brought into the database.
	 */
	public static class Schema {

		/**
		 * What to do with the engine at start-up: install (or upgrade) it, apply only the
		 * receive-lock patch to an existing install, validate that it is there, or
		 * nothing.
		 */
		private PgqueSchemaMode mode = PgqueSchemaMode.INSTALL;

		public PgqueSchemaMode getMode() {
			return this.mode;
		}

		public void setMode(PgqueSchemaMode mode) {
			this.mode = mode;
		}

	}

	/**
	 * Settings of the PgqueTemplate.
	 */
	public static class Template {

	}

	/**
	 * Settings of the listener containers.
	 */
	public static class Listener {

	}

	/**
	 * Settings of the embedded ticker and maintenance.
	 */
	public static class Ticker {

		/**
		 * Who ticks the queues: 'auto' uses pg_cron when PgQue's pg_cron jobs are
		 * scheduled in the database and the embedded ticker otherwise; 'embedded' always
		 * runs the embedded ticker; 'pg-cron' requires pg_cron to tick and fails at
		 * start-up otherwise; 'none' sends no ticker queries at all.
		 */
		private PgqueTickerMode mode = PgqueTickerMode.AUTO;

		/**
		 * How often the embedded ticker calls pgque.ticker(). Delivery latency is about
		 * half of it, provided the queues' tick thresholds let every period tick.
		 */
		private Duration tickPeriod = Duration.ofMillis(100);

		/**
		 * How often the embedded ticker moves retries that are due back into their
		 * queues. A nacked event comes back at most this much later than its retry delay.
		 */
		private Duration retryPeriod = Duration.ofSeconds(1);

		/**
		 * How often the embedded ticker rotates event tables that are due and runs
		 * pgque.maint().
		 */
		private Duration maintenancePeriod = Duration.ofSeconds(30);

		/**
		 * How often an instance that is not the ticker leader tries to take over. Bounds
		 * how long ticking pauses when the leader stops or loses its connection.
		 */
		private Duration takeoverInterval = Duration.ofSeconds(2);

		/**
		 * Longest time one ticker or maintenance statement may run (whole seconds).
		 */
		private Duration queryTimeout = Duration.ofSeconds(10);

		/**
		 * Longest pause between attempts while the database is down or a ticker task
		 * keeps failing.
		 */
		private Duration maxBackoff = Duration.ofSeconds(10);

		public PgqueTickerMode getMode() {
			return this.mode;
		}

		public void setMode(PgqueTickerMode mode) {
			this.mode = mode;
		}

		public Duration getTickPeriod() {
			return this.tickPeriod;
		}

		public void setTickPeriod(Duration tickPeriod) {
			this.tickPeriod = tickPeriod;
		}

		public Duration getRetryPeriod() {
			return this.retryPeriod;
		}

		public void setRetryPeriod(Duration retryPeriod) {
			this.retryPeriod = retryPeriod;
		}

		public Duration getMaintenancePeriod() {
			return this.maintenancePeriod;
		}

		public void setMaintenancePeriod(Duration maintenancePeriod) {
			this.maintenancePeriod = maintenancePeriod;
		}

		public Duration getTakeoverInterval() {
			return this.takeoverInterval;
		}

		public void setTakeoverInterval(Duration takeoverInterval) {
			this.takeoverInterval = takeoverInterval;
		}

		public Duration getQueryTimeout() {
			return this.queryTimeout;
		}

		public void setQueryTimeout(Duration queryTimeout) {
			this.queryTimeout = queryTimeout;
		}

		public Duration getMaxBackoff() {
			return this.maxBackoff;
		}

		public void setMaxBackoff(Duration maxBackoff) {
			this.maxBackoff = maxBackoff;
		}

	}

}
