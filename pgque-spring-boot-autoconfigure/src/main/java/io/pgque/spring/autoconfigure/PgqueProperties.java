package io.pgque.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pgque.spring.convert.PgqueTypeNaming;
import io.pgque.spring.health.PgqueHealthRules;
import io.pgque.spring.lease.PgqueLeaseMode;
import io.pgque.spring.lease.PgqueLeaseOptions;
import io.pgque.spring.listener.PgqueContainerOptions;
import io.pgque.spring.listener.error.PgqueRetrySettings;
import io.pgque.spring.listener.pipeline.PgqueTransactionMode;
import io.pgque.spring.listener.pipeline.PgqueUnknownTypePolicy;
import io.pgque.spring.listener.source.PgqueNotificationMode;
import io.pgque.spring.schema.PgqueSchemaMode;
import io.pgque.spring.ticker.PgqueTickerMode;
import io.pgque.spring.ticker.PgqueTickerOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

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

	private final Observation observation = new Observation();

	private final Limits limits = new Limits();

	private final Lease lease = new Lease();

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

	public Observation getObservation() {
		return this.observation;
	}

	public Metrics getMetrics() {
		return this.metrics;
	}

	public Limits getLimits() {
		return this.limits;
	}

	public Map<String, Queue> getQueues() {
		return this.queues;
	}

	public Lease getLease() {
		return this.lease;
	}

	/**
	 * How consumer leases and ticker leadership are kept (see docs/pooler.md).
	 */
	// defaults: see Listener
	public static class Lease {

		private static final PgqueLeaseOptions DEFAULTS = PgqueLeaseOptions.defaults();

		/**
		 * How leases are kept: 'advisory' (a session advisory lock; needs a direct
		 * connection), 'table' (a row with an expiry and a fencing epoch; works through a
		 * pooler in transaction mode, and only PgQue roles can hold it) or 'auto' (table
		 * behind a pooler, or when logins without a PgQue role may connect; advisory
		 * otherwise).
		 */
		private PgqueLeaseMode mode = DEFAULTS.mode();

		/**
		 * How long a table lease lives without a heartbeat: a dead holder is replaced
		 * after at most this plus the standby's retry interval.
		 */
		private Duration ttl = DEFAULTS.ttl();

		/**
		 * How often a holder renews its table leases; at most half the ttl.
		 */
		private Duration heartbeatInterval = DEFAULTS.heartbeatInterval();

		public PgqueLeaseMode getMode() {
			return this.mode;
		}

		public void setMode(PgqueLeaseMode mode) {
			this.mode = mode;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public Duration getHeartbeatInterval() {
			return this.heartbeatInterval;
		}

		public void setHeartbeatInterval(Duration heartbeatInterval) {
			this.heartbeatInterval = heartbeatInterval;
		}

		PgqueLeaseOptions toOptions() {
			return new PgqueLeaseOptions(this.mode, this.ttl, this.heartbeatInterval);
		}

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
	// The defaults are those of the options the properties set (one home each). The
	// configuration processor states only literals and constants of the same class in the
	// metadata, so additional-spring-configuration-metadata.json states these defaults;
	// PgqueMetadataDefaultsTests fails when it and the runtime defaults disagree.
	public static class Listener {

		private static final PgqueContainerOptions DEFAULTS = PgqueContainerOptions.defaults();

		/**
		 * Whether to create containers for @PgqueListener methods.
		 */
		private boolean enabled = true;

		/**
		 * Whether listener containers start with the application context.
		 */
		private boolean autoStartup = DEFAULTS.autoStartup();

		/**
		 * Whether a container subscribes its consumer at start-up when it is not
		 * subscribed yet.
		 */
		private boolean autoSubscribe = DEFAULTS.autoSubscribe();

		/**
		 * Whether a container creates its queue at start-up when it does not exist (with
		 * the starter's queue defaults); otherwise start-up fails naming the queue.
		 */
		private boolean autoCreateQueues = DEFAULTS.autoCreateQueue();

		/**
		 * How batches are wrapped in transactions: 'auto' (savepoints with a
		 * DataSourceTransactionManager, replay otherwise), 'savepoint' (needs a
		 * DataSourceTransactionManager), 'replay' or 'at-least-once'.
		 */
		private PgqueTransactionMode transactionMode = DEFAULTS.transactionMode();

		/**
		 * Bean name of the transaction manager for batches (e.g. the JPA one when
		 * handlers write through JPA). By default a DataSourceTransactionManager on the
		 * PgQue DataSource, not registered as a bean.
		 */
		private @Nullable String transactionManager;

		/**
		 * What to do with an event whose type no listener method handles.
		 */
		private PgqueUnknownTypePolicy unknownTypePolicy = DEFAULTS.unknownTypePolicy();

		/**
		 * The most messages a batch listener gets per call.
		 */
		private int maxBatchSize = DEFAULTS.maxBatchSize();

		/**
		 * How long an idle container waits for a tick notification before it looks for a
		 * batch anyway; only a fallback for lost notifications.
		 */
		private Duration pollInterval = DEFAULTS.pollInterval();

		/**
		 * How often a standby container tries to take its consumer's lease; bounds the
		 * takeover time when the active instance dies.
		 */
		private Duration leaseRetryInterval = DEFAULTS.leaseRetryInterval();

		/**
		 * How idle containers learn of new ticks: 'listen' (LISTEN/NOTIFY on one
		 * connection), 'poll' (wake every container at notification-poll-interval) or
		 * 'auto' (poll when the connection goes through a pooler, listen otherwise).
		 */
		private PgqueNotificationMode notifications = PgqueNotificationMode.AUTO;

		/**
		 * How often idle containers look for a batch when notifications are polled. An
		 * empty look is one read-only query: no write, no transaction id.
		 */
		private Duration notificationPollInterval = Duration.ofSeconds(1);

		/**
		 * JDBC URL of a direct connection (bypassing the pooler) to LISTEN on, e.g.
		 * 'jdbc:postgresql://db-primary:5432/app'; by default the PgQue DataSource's.
		 */
		private @Nullable String notificationUrl;

		/**
		 * Login for notification-url; by default the one the URL carries.
		 */
		private @Nullable String notificationUsername;

		/**
		 * Password for notification-url.
		 */
		private @Nullable String notificationPassword;

		/**
		 * How long stopping a container waits for the batch in hand to finish.
		 */
		private Duration shutdownTimeout = DEFAULTS.shutdownTimeout();

		/**
		 * How long a container waits after a batch failed as a whole before it tries
		 * again.
		 */
		private Duration failureDelay = DEFAULTS.failureDelay();

		/**
		 * Exception types (matched in the cause chain) that send a message straight to
		 * the dead-letter queue, in addition to payload conversion failures.
		 */
		private List<Class<? extends Throwable>> notRetryableExceptions = new ArrayList<>();

		/**
		 * The most events a container holds in memory per batch; a bigger batch is read
		 * and handled in pages of this size, and acked once its last page is done.
		 */
		private int maxEventsInMemory = DEFAULTS.maxEventsInMemory();

		/**
		 * Whether the reason of a payload conversion failure, logged and stored with the
		 * dead letter, may quote field values of the payload. Off: it names the failure's
		 * kind, the field path and the position only.
		 */
		private boolean failureReasonsWithValues;

		/**
		 * How many workers of each instance process a consumer's batches in parallel (at
		 * least 1); @PgqueListener(concurrency) overrides it per listener. 1 is the
		 * single worker behind the consumer's lease; more make each worker a cooperative
		 * subconsumer.
		 */
		private int concurrency = DEFAULTS.concurrency();

		/**
		 * How long a cooperative worker (concurrency above 1) holding a batch may give no
		 * sign of life before another worker takes its batch over; workers heartbeat at a
		 * quarter of it, and workers silent for three times as long (left by a crashed
		 * instance) are removed by the others. Keyed workers (@PgqueListener(ordering =
		 * KEY)) hold their slots' leases for it.
		 */
		private Duration deadInterval = DEFAULTS.deadInterval();

		/**
		 * How many partition slots a keyed listener (@PgqueListener(ordering = KEY))
		 * hashes keys to, from 1 to 1024: the most workers of all instances that can work
		 * on it at once; @PgqueListener(keySlots) overrides it. The engine pins it per
		 * consumer once subscribed. Keyed workers hold their slots' leases for the dead
		 * interval and renew them at a quarter of it.
		 */
		private int keySlots = DEFAULTS.keySlots();

		/**
		 * The id cooperative workers of this application are named after
		 * ('<instance-id>-<n>'); must be unique among running applications. Letters,
		 * digits, '-' and '_'. By default one is generated from the host, the process id
		 * and a random part.
		 */
		private @Nullable String instanceId;

		/**
		 * In-place retry of failing messages.
		 */
		private final Retry retry = new Retry();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public boolean isAutoStartup() {
			return this.autoStartup;
		}

		public void setAutoStartup(boolean autoStartup) {
			this.autoStartup = autoStartup;
		}

		public boolean isAutoSubscribe() {
			return this.autoSubscribe;
		}

		public void setAutoSubscribe(boolean autoSubscribe) {
			this.autoSubscribe = autoSubscribe;
		}

		public boolean isAutoCreateQueues() {
			return this.autoCreateQueues;
		}

		public void setAutoCreateQueues(boolean autoCreateQueues) {
			this.autoCreateQueues = autoCreateQueues;
		}

		public PgqueTransactionMode getTransactionMode() {
			return this.transactionMode;
		}

		public void setTransactionMode(PgqueTransactionMode transactionMode) {
			this.transactionMode = transactionMode;
		}

		public @Nullable String getTransactionManager() {
			return this.transactionManager;
		}

		public void setTransactionManager(@Nullable String transactionManager) {
			this.transactionManager = transactionManager;
		}

		public PgqueUnknownTypePolicy getUnknownTypePolicy() {
			return this.unknownTypePolicy;
		}

		public void setUnknownTypePolicy(PgqueUnknownTypePolicy unknownTypePolicy) {
			this.unknownTypePolicy = unknownTypePolicy;
		}

		public int getMaxBatchSize() {
			return this.maxBatchSize;
		}

		public void setMaxBatchSize(int maxBatchSize) {
			this.maxBatchSize = maxBatchSize;
		}

		public Duration getPollInterval() {
			return this.pollInterval;
		}

		public void setPollInterval(Duration pollInterval) {
			this.pollInterval = pollInterval;
		}

		public PgqueNotificationMode getNotifications() {
			return this.notifications;
		}

		public void setNotifications(PgqueNotificationMode notifications) {
			this.notifications = notifications;
		}

		public Duration getNotificationPollInterval() {
			return this.notificationPollInterval;
		}

		public void setNotificationPollInterval(Duration notificationPollInterval) {
			this.notificationPollInterval = notificationPollInterval;
		}

		public @Nullable String getNotificationUrl() {
			return this.notificationUrl;
		}

		public void setNotificationUrl(@Nullable String notificationUrl) {
			this.notificationUrl = notificationUrl;
		}

		public @Nullable String getNotificationUsername() {
			return this.notificationUsername;
		}

		public void setNotificationUsername(@Nullable String notificationUsername) {
			this.notificationUsername = notificationUsername;
		}

		public @Nullable String getNotificationPassword() {
			return this.notificationPassword;
		}

		public void setNotificationPassword(@Nullable String notificationPassword) {
			this.notificationPassword = notificationPassword;
		}

		public Duration getLeaseRetryInterval() {
			return this.leaseRetryInterval;
		}

		public void setLeaseRetryInterval(Duration leaseRetryInterval) {
			this.leaseRetryInterval = leaseRetryInterval;
		}

		public Duration getShutdownTimeout() {
			return this.shutdownTimeout;
		}

		public void setShutdownTimeout(Duration shutdownTimeout) {
			this.shutdownTimeout = shutdownTimeout;
		}

		public Duration getFailureDelay() {
			return this.failureDelay;
		}

		public void setFailureDelay(Duration failureDelay) {
			this.failureDelay = failureDelay;
		}

		public List<Class<? extends Throwable>> getNotRetryableExceptions() {
			return this.notRetryableExceptions;
		}

		public void setNotRetryableExceptions(List<Class<? extends Throwable>> notRetryableExceptions) {
			this.notRetryableExceptions = notRetryableExceptions;
		}

		public int getMaxEventsInMemory() {
			return this.maxEventsInMemory;
		}

		public void setMaxEventsInMemory(int maxEventsInMemory) {
			this.maxEventsInMemory = maxEventsInMemory;
		}

		public boolean isFailureReasonsWithValues() {
			return this.failureReasonsWithValues;
		}

		public void setFailureReasonsWithValues(boolean failureReasonsWithValues) {
			this.failureReasonsWithValues = failureReasonsWithValues;
		}

		public Retry getRetry() {
			return this.retry;
		}

		public Duration getDeadInterval() {
			return this.deadInterval;
		}

		public void setDeadInterval(Duration deadInterval) {
			this.deadInterval = deadInterval;
		}

		public @Nullable String getInstanceId() {
			return this.instanceId;
		}

		public void setInstanceId(@Nullable String instanceId) {
			this.instanceId = instanceId;
		}

		public int getKeySlots() {
			return this.keySlots;
		}

		public void setKeySlots(int keySlots) {
			if (keySlots < 1 || keySlots > 1024) {
				throw new IllegalArgumentException(
						"pgque.listener.key-slots must be between 1 and 1024 but was " + keySlots);
			}
			this.keySlots = keySlots;
		}

		public int getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(int concurrency) {
			if (concurrency < 1) {
				throw new IllegalArgumentException(
						"pgque.listener.concurrency must be at least 1 but was " + concurrency);
			}
			this.concurrency = concurrency;
		}

		/**
		 * How a failing message is retried.
		 */
		public static class Retry {

			private static final PgqueRetrySettings DEFAULTS = PgqueRetrySettings.DEFAULTS;

			/**
			 * Attempts in place, the first one included, before the message is nacked.
			 */
			private int maxAttempts = DEFAULTS.maxAttempts();

			/**
			 * Delay before the second in-place attempt.
			 */
			private Duration initialBackOff = DEFAULTS.initialBackOff();

			/**
			 * Factor by which each further in-place delay grows.
			 */
			private double multiplier = DEFAULTS.multiplier();

			/**
			 * Longest delay between in-place attempts.
			 */
			private Duration maxBackOff = DEFAULTS.maxBackOff();

			/**
			 * Delay after which a nacked message is delivered again (whole seconds). The
			 * queue's max_retries decides when it goes to the dead-letter queue instead.
			 */
			private Duration retryDelay = DEFAULTS.retryDelay();

			public int getMaxAttempts() {
				return this.maxAttempts;
			}

			public void setMaxAttempts(int maxAttempts) {
				this.maxAttempts = maxAttempts;
			}

			public Duration getInitialBackOff() {
				return this.initialBackOff;
			}

			public void setInitialBackOff(Duration initialBackOff) {
				this.initialBackOff = initialBackOff;
			}

			public double getMultiplier() {
				return this.multiplier;
			}

			public void setMultiplier(double multiplier) {
				this.multiplier = multiplier;
			}

			public Duration getMaxBackOff() {
				return this.maxBackOff;
			}

			public void setMaxBackOff(Duration maxBackOff) {
				this.maxBackOff = maxBackOff;
			}

			public Duration getRetryDelay() {
				return this.retryDelay;
			}

			public void setRetryDelay(Duration retryDelay) {
				this.retryDelay = retryDelay;
			}

		}

	}

	/**
	 * Settings of the embedded ticker and maintenance.
	 */
	// defaults: see Listener
	public static class Ticker {

		private static final PgqueTickerOptions DEFAULTS = PgqueTickerOptions.defaults();

		/**
		 * Who ticks the queues: 'auto' leaves it to pg_cron or pg_timetable when PgQue's
		 * jobs are scheduled in the database and runs the embedded ticker otherwise;
		 * 'embedded' always runs the embedded ticker; 'pg-cron' requires pg_cron to tick,
		 * schedules PgQue's jobs with pgque.start() when they are not, and fails at
		 * start-up without pg_cron; 'none' sends no ticker queries at all.
		 */
		private PgqueTickerMode mode = PgqueTickerMode.AUTO;

		/**
		 * How often the embedded ticker calls pgque.ticker(). Delivery latency is about
		 * half of it, provided the queues' tick thresholds let every period tick.
		 */
		private Duration tickPeriod = DEFAULTS.tickPeriod();

		/**
		 * Longest interval between two runs of the retry mover, which moves retries that
		 * are due back into their queues. It also wakes when the next retry falls due, so
		 * a nacked event comes back shortly after its retry delay.
		 */
		private Duration retryPeriod = DEFAULTS.retryPeriod();

		/**
		 * How often the embedded ticker rotates event tables that are due and runs
		 * pgque.maint().
		 */
		private Duration maintenancePeriod = DEFAULTS.maintenancePeriod();

		/**
		 * How often an instance that is not the ticker leader tries to take over. Bounds
		 * how long ticking pauses when the leader stops or loses its connection.
		 */
		private Duration takeoverInterval = DEFAULTS.takeoverInterval();

		/**
		 * Longest time one ticker or maintenance statement may run (whole seconds).
		 */
		private Duration queryTimeout = DEFAULTS.queryTimeout();

		/**
		 * Longest pause between attempts while the database is down or a ticker task
		 * keeps failing.
		 */
		private Duration maxBackoff = DEFAULTS.maxBackoff();

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

	/**
	 * Settings of the {@code pgque} health indicator.
	 */
	// defaults: see Listener
	public static class Health {

		private static final PgqueHealthRules DEFAULTS = PgqueHealthRules.defaults();

		/**
		 * How much longer than a queue's ticker thresholds (max lag with events waiting,
		 * idle period without) the queue may go without a tick before health is DOWN.
		 */
		private Duration tickerGrace = DEFAULTS.tickerGrace();

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

		/**
		 * Consumer lag above which health adds a warning detail (it stays UP).
		 */
		private @Nullable Duration consumerLagWarning = DEFAULTS.consumerLagWarning();

		/**
		 * Whether a stalled ticker makes health DOWN; otherwise it is a warning.
		 */
		private boolean stalledTickerDown = DEFAULTS.stalledTickerDown();

		/**
		 * Whether a listener container of this application that stopped after a failure
		 * makes health DOWN; otherwise it is a warning.
		 */
		private boolean failedContainerDown = DEFAULTS.failedContainerDown();

		/**
		 * How long a health result read from the database is reused, so frequent probes
		 * do not each reach the database.
		 */
		private Duration cacheTime = Duration.ofSeconds(10);

		/**
		 * After how long a health statement is cancelled (whole seconds).
		 */
		private Duration statementTimeout = Duration.ofSeconds(2);

		/**
		 * Dead letters per queue counted at most by a health probe; more show as
		 * "deadLettersAtLeast".
		 */
		private int deadLetterCountLimit = 1000;

		public @Nullable Duration getConsumerLagWarning() {
			return this.consumerLagWarning;
		}

		public void setConsumerLagWarning(@Nullable Duration consumerLagWarning) {
			this.consumerLagWarning = consumerLagWarning;
		}

		public boolean isStalledTickerDown() {
			return this.stalledTickerDown;
		}

		public void setStalledTickerDown(boolean stalledTickerDown) {
			this.stalledTickerDown = stalledTickerDown;
		}

		public boolean isFailedContainerDown() {
			return this.failedContainerDown;
		}

		public void setFailedContainerDown(boolean failedContainerDown) {
			this.failedContainerDown = failedContainerDown;
		}

		public Duration getCacheTime() {
			return this.cacheTime;
		}

		public void setCacheTime(Duration cacheTime) {
			this.cacheTime = cacheTime;
		}

		public Duration getStatementTimeout() {
			return this.statementTimeout;
		}

		public void setStatementTimeout(Duration statementTimeout) {
			this.statementTimeout = statementTimeout;
		}

		public int getDeadLetterCountLimit() {
			return this.deadLetterCountLimit;
		}

		public void setDeadLetterCountLimit(int deadLetterCountLimit) {
			this.deadLetterCountLimit = deadLetterCountLimit;
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

	/**
	 * Settings of the PgQue observations.
	 */
	public static class Observation {

		/**
		 * Whether sends and handled events are Micrometer Observations
		 * ({@code pgque.send}, {@code pgque.process}) when an ObservationRegistry is
		 * present; with a tracer, each sent event carries the trace context in its
		 * {@code ev_extra4} field.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * Limits the engine holds every sent event to. Applied to the engine at start-up when
	 * pgque.schema.mode is 'install'; install-wide, so every application on the database
	 * should agree on them.
	 */
	public static class Limits {

		/**
		 * Largest payload the engine accepts, in bytes of its stored text; a larger one
		 * is refused with an error naming the limit.
		 */
		private DataSize maxPayloadSize = DataSize.ofMegabytes(1);

		/**
		 * Longest event type name the engine accepts, in bytes of UTF-8.
		 */
		private DataSize maxTypeNameSize = DataSize.ofBytes(255);

		public DataSize getMaxPayloadSize() {
			return this.maxPayloadSize;
		}

		public void setMaxPayloadSize(DataSize maxPayloadSize) {
			this.maxPayloadSize = maxPayloadSize;
		}

		public DataSize getMaxTypeNameSize() {
			return this.maxTypeNameSize;
		}

		public void setMaxTypeNameSize(DataSize maxTypeNameSize) {
			this.maxTypeNameSize = maxTypeNameSize;
		}

	}

}
