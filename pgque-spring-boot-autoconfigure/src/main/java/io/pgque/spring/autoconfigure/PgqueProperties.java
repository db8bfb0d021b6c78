package io.pgque.spring.autoconfigure;

import java.time.Duration;

import io.pgque.spring.schema.PgqueSchemaMode;
import org.jspecify.annotations.Nullable;

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

	private final Health health = new Health();

	private final Metrics metrics = new Metrics();

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

	public Health getHealth() {
		return this.health;
	}

	public Metrics getMetrics() {
		return this.metrics;
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

	}

	/**
	 * Settings of the {@code pgque} health indicator.
	 */
	public static class Health {

		/**
		 * How much longer than a queue's ticker thresholds (max lag with events waiting,
		 * idle period without) the queue may go without a tick before health is DOWN.
		 */
		private Duration tickerGrace = Duration.ofSeconds(30);

		/**
		 * Consumer lag above which health is DOWN. By default lag is only reported.
		 */
		private @Nullable Duration maxConsumerLag;

		public Duration getTickerGrace() {
			return this.tickerGrace;
		}

		public void setTickerGrace(Duration tickerGrace) {
			this.tickerGrace = tickerGrace;
		}

		public @Nullable Duration getMaxConsumerLag() {
			return this.maxConsumerLag;
		}

		public void setMaxConsumerLag(@Nullable Duration maxConsumerLag) {
			this.maxConsumerLag = maxConsumerLag;
		}

	}

	/**
	 * Settings of the PgQue gauges.
	 */
	public static class Metrics {

		/**
		 * Whether to publish gauges of queues and consumers.
		 */
		private boolean enabled = true;

		/**
		 * How often the gauges are read from the database.
		 */
		private Duration refreshInterval = Duration.ofSeconds(15);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getRefreshInterval() {
			return this.refreshInterval;
		}

		public void setRefreshInterval(Duration refreshInterval) {
			this.refreshInterval = refreshInterval;
		}

	}

}
