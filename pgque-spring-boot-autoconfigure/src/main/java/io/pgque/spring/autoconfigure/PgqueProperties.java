package io.pgque.spring.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.pgque.spring.convert.PgqueTypeNaming;
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

	/**
	 * Queues to create at start-up, or bring up to date, by name.
	 */
	private final Map<String, Queue> queues = new LinkedHashMap<>();

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

	public Map<String, Queue> getQueues() {
		return this.queues;
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

		/**
		 * How the type name of a sent object is derived when the caller names none and no
		 * type mapping matches. Strings, byte arrays, maps, collections and JSON trees
		 * are always sent as type 'default'.
		 */
		private PgqueTypeNaming typeNaming = PgqueTypeNaming.SIMPLE_NAME;

		/**
		 * Event type names mapped to Java classes, e.g. 'order-placed' to
		 * 'com.example.OrderPlaced', so that producers and consumers in other languages
		 * agree on the names. Used both to name sent objects and to resolve received
		 * types.
		 */
		private Map<String, Class<?>> typeMappings = new LinkedHashMap<>();

		public PgqueTypeNaming getTypeNaming() {
			return this.typeNaming;
		}

		public void setTypeNaming(PgqueTypeNaming typeNaming) {
			this.typeNaming = typeNaming;
		}

		public Map<String, Class<?>> getTypeMappings() {
			return this.typeMappings;
		}

		public void setTypeMappings(Map<String, Class<?>> typeMappings) {
			this.typeMappings = typeMappings;
		}

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

	/**
	 * Settings of a declared queue. Unset values keep the engine's defaults, except
	 * ticker-max-count, which is 1 for a queue the starter creates.
	 */
	public static class Queue {

		/**
		 * Retries before a nacked event goes to the dead-letter queue (engine default 5).
		 */
		private @Nullable Integer maxRetries;

		/**
		 * How often the queue's event tables rotate (engine default 2 hours).
		 */
		private @Nullable Duration rotationPeriod;

		/**
		 * Events waiting that make the ticker tick. Defaults to 1 for a queue the starter
		 * creates, so every tick delivers what is waiting (the engine's default is 500).
		 */
		private @Nullable Integer tickerMaxCount;

		/**
		 * Age of the oldest waiting event that makes the ticker tick (engine default 3
		 * seconds).
		 */
		private @Nullable Duration tickerMaxLag;

		/**
		 * Longest gap between ticks of an idle queue (engine default 1 minute).
		 */
		private @Nullable Duration tickerIdlePeriod;

		public @Nullable Integer getMaxRetries() {
			return this.maxRetries;
		}

		public void setMaxRetries(@Nullable Integer maxRetries) {
			this.maxRetries = maxRetries;
		}

		public @Nullable Duration getRotationPeriod() {
			return this.rotationPeriod;
		}

		public void setRotationPeriod(@Nullable Duration rotationPeriod) {
			this.rotationPeriod = rotationPeriod;
		}

		public @Nullable Integer getTickerMaxCount() {
			return this.tickerMaxCount;
		}

		public void setTickerMaxCount(@Nullable Integer tickerMaxCount) {
			this.tickerMaxCount = tickerMaxCount;
		}

		public @Nullable Duration getTickerMaxLag() {
			return this.tickerMaxLag;
		}

		public void setTickerMaxLag(@Nullable Duration tickerMaxLag) {
			this.tickerMaxLag = tickerMaxLag;
		}

		public @Nullable Duration getTickerIdlePeriod() {
			return this.tickerIdlePeriod;
		}

		public void setTickerIdlePeriod(@Nullable Duration tickerIdlePeriod) {
			this.tickerIdlePeriod = tickerIdlePeriod;
		}

	}

}
