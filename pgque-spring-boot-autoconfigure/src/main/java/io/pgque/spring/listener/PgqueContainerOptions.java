package io.pgque.spring.listener;

import io.pgque.spring.listener.pipeline.PgqueUnknownTypePolicy;
import io.pgque.spring.listener.pipeline.PgqueTransactionMode;
import java.time.Duration;
import java.util.List;

import io.pgque.spring.convert.PgqueConversionException;
import io.pgque.spring.listener.adapter.PgqueArgumentConversionException;
import io.pgque.spring.listener.error.PgqueRetrySettings;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * The immutable settings of a listener container. Build with {@link #builder()}, derive
 * variants with {@link #toBuilder()}.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueContainerOptions {

	private final boolean autoStartup;

	private final boolean autoSubscribe;

	private final boolean autoCreateQueue;

	private final PgqueTransactionMode transactionMode;

	private final PgqueUnknownTypePolicy unknownTypePolicy;

	private final int maxBatchSize;

	private final int maxEventsInMemory;

	private final Duration pollInterval;

	private final Duration leaseRetryInterval;

	private final Duration shutdownTimeout;

	private final Duration failureDelay;

	private final PgqueRetrySettings retry;

	private final List<Class<? extends Throwable>> notRetryableExceptions;

	private final int concurrency;

	private final Duration deadInterval;

	private final @Nullable Duration heartbeatInterval;

	private final @Nullable String instanceId;

	private final PgqueOrdering ordering;

	private final int keySlots;

	private PgqueContainerOptions(Builder builder) {
		this.autoStartup = builder.autoStartup;
		this.autoSubscribe = builder.autoSubscribe;
		this.autoCreateQueue = builder.autoCreateQueue;
		this.transactionMode = builder.transactionMode;
		this.unknownTypePolicy = builder.unknownTypePolicy;
		this.maxBatchSize = builder.maxBatchSize;
		this.maxEventsInMemory = builder.maxEventsInMemory;
		this.pollInterval = builder.pollInterval;
		this.leaseRetryInterval = builder.leaseRetryInterval;
		this.shutdownTimeout = builder.shutdownTimeout;
		this.failureDelay = builder.failureDelay;
		this.retry = builder.retry;
		this.notRetryableExceptions = List.copyOf(builder.notRetryableExceptions);
		this.concurrency = builder.concurrency;
		this.deadInterval = builder.deadInterval;
		this.heartbeatInterval = builder.heartbeatInterval;
		this.instanceId = builder.instanceId;
		this.ordering = builder.ordering;
		this.keySlots = builder.keySlots;
	}

	/**
	 * A builder with the defaults.
	 * @return the builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * The defaults, the ones {@code pgque.listener.*} starts from.
	 * @return the default options
	 */
	public static PgqueContainerOptions defaults() {
		return new Builder().build();
	}

	/**
	 * A builder starting from these options.
	 * @return the builder
	 */
	public Builder toBuilder() {
		return new Builder(this);
	}

	/**
	 * Whether the container starts with the application context.
	 * @return the flag
	 */
	public boolean autoStartup() {
		return this.autoStartup;
	}

	/**
	 * Whether the container subscribes its consumer at start-up when it is not subscribed
	 * yet.
	 * @return the flag
	 */
	public boolean autoSubscribe() {
		return this.autoSubscribe;
	}

	/**
	 * Whether the container creates its queue at start-up when it does not exist.
	 * @return the flag
	 */
	public boolean autoCreateQueue() {
		return this.autoCreateQueue;
	}

	public PgqueTransactionMode transactionMode() {
		return this.transactionMode;
	}

	public PgqueUnknownTypePolicy unknownTypePolicy() {
		return this.unknownTypePolicy;
	}

	/**
	 * The most messages a batch listener gets per call.
	 * @return the size
	 */
	public int maxBatchSize() {
		return this.maxBatchSize;
	}

	/**
	 * The most events of a batch held in memory at once; a bigger batch is read and
	 * handled in pages, and acked after its last page.
	 * @return the page size
	 */
	public int maxEventsInMemory() {
		return this.maxEventsInMemory;
	}

	/**
	 * How long an idle container waits for a notification before it looks for a batch
	 * anyway (fallback for lost notifications).
	 * @return the interval
	 */
	public Duration pollInterval() {
		return this.pollInterval;
	}

	/**
	 * How often a standby container tries to take the lease.
	 * @return the interval
	 */
	public Duration leaseRetryInterval() {
		return this.leaseRetryInterval;
	}

	/**
	 * How long stopping waits for the batch in hand to finish.
	 * @return the timeout
	 */
	public Duration shutdownTimeout() {
		return this.shutdownTimeout;
	}

	/**
	 * How long the container waits after a batch failed as a whole (e.g. the database was
	 * unreachable) before it tries again.
	 * @return the delay
	 */
	public Duration failureDelay() {
		return this.failureDelay;
	}

	public PgqueRetrySettings retry() {
		return this.retry;
	}

	/**
	 * Exceptions (matched anywhere in the cause chain) that send a message straight to
	 * the dead-letter queue.
	 * @return the exception types
	 */
	public List<Class<? extends Throwable>> notRetryableExceptions() {
		return this.notRetryableExceptions;
	}

	/**
	 * How many workers of this instance process the consumer: 1 is the single worker
	 * behind the consumer's lease; more make each worker a cooperative subconsumer.
	 * @return the number of workers, at least 1
	 */
	public int concurrency() {
		return this.concurrency;
	}

	/**
	 * How long a cooperative member holding a batch may give no sign of life (heartbeat,
	 * poll, ack) before another member takes its batch over; members silent for three
	 * times as long are removed from the group.
	 * @return the dead interval
	 */
	public Duration deadInterval() {
		return this.deadInterval;
	}

	/**
	 * How often a cooperative container tells the engine its members are alive: a quarter
	 * of the {@link #deadInterval()} unless set.
	 * @return the heartbeat interval
	 */
	public Duration heartbeatInterval() {
		return (this.heartbeatInterval != null) ? this.heartbeatInterval : this.deadInterval.dividedBy(4);
	}

	/**
	 * The id cooperative members of this application are named after
	 * ({@code <instance-id>-<worker>}); it must be unique among the running applications.
	 * @return the id, or {@code null} for one generated per container (host, process id
	 * and a random part)
	 */
	public @Nullable String instanceId() {
		return this.instanceId;
	}

	/**
	 * The order workers keep: {@link PgqueOrdering#KEY} runs {@link #concurrency()} keyed
	 * workers that share the consumer's {@link #keySlots() slots}.
	 * @return the ordering
	 */
	public PgqueOrdering ordering() {
		return this.ordering;
	}

	/**
	 * The number of partition slots of a keyed consumer ({@link PgqueOrdering#KEY}): the
	 * most workers of all instances that can work at once. The engine pins it once the
	 * consumer is subscribed; each slot reads the whole stream, so more slots cost more
	 * reads.
	 * @return the slot count, 1 to 1024
	 */
	public int keySlots() {
		return this.keySlots;
	}

	/**
	 * Builds {@link PgqueContainerOptions}.
	 */
	public static final class Builder {

		// the one home of the container defaults: PgqueProperties.Listener starts from
		// them, and the configuration metadata states them
		// (additional-spring-configuration-metadata.json, checked by a test)

		private boolean autoStartup = true;

		private boolean autoSubscribe = true;

		private boolean autoCreateQueue = true;

		private PgqueTransactionMode transactionMode = PgqueTransactionMode.AUTO;

		private PgqueUnknownTypePolicy unknownTypePolicy = PgqueUnknownTypePolicy.LOG_AND_ACKNOWLEDGE;

		private int maxBatchSize = 500;

		private int maxEventsInMemory = 10_000;

		private Duration pollInterval = Duration.ofSeconds(30);

		private Duration leaseRetryInterval = Duration.ofSeconds(2);

		private Duration shutdownTimeout = Duration.ofSeconds(30);

		private Duration failureDelay = Duration.ofSeconds(5);

		private PgqueRetrySettings retry = PgqueRetrySettings.DEFAULTS;

		private List<Class<? extends Throwable>> notRetryableExceptions = List
			.of(PgqueArgumentConversionException.class, PgqueConversionException.class);

		private int concurrency = 1;

		private Duration deadInterval = Duration.ofSeconds(60);

		private @Nullable Duration heartbeatInterval;

		private @Nullable String instanceId;

		private PgqueOrdering ordering = PgqueOrdering.NONE;

		private int keySlots = 16;

		private Builder() {
		}

		private Builder(PgqueContainerOptions options) {
			this.autoStartup = options.autoStartup;
			this.autoSubscribe = options.autoSubscribe;
			this.autoCreateQueue = options.autoCreateQueue;
			this.transactionMode = options.transactionMode;
			this.unknownTypePolicy = options.unknownTypePolicy;
			this.maxBatchSize = options.maxBatchSize;
			this.maxEventsInMemory = options.maxEventsInMemory;
			this.pollInterval = options.pollInterval;
			this.leaseRetryInterval = options.leaseRetryInterval;
			this.shutdownTimeout = options.shutdownTimeout;
			this.failureDelay = options.failureDelay;
			this.retry = options.retry;
			this.notRetryableExceptions = options.notRetryableExceptions;
			this.concurrency = options.concurrency;
			this.deadInterval = options.deadInterval;
			this.heartbeatInterval = options.heartbeatInterval;
			this.instanceId = options.instanceId;
			this.ordering = options.ordering;
			this.keySlots = options.keySlots;
		}

		public Builder autoStartup(boolean autoStartup) {
			this.autoStartup = autoStartup;
			return this;
		}

		public Builder autoSubscribe(boolean autoSubscribe) {
			this.autoSubscribe = autoSubscribe;
			return this;
		}

		public Builder autoCreateQueue(boolean autoCreateQueue) {
			this.autoCreateQueue = autoCreateQueue;
			return this;
		}

		public Builder transactionMode(PgqueTransactionMode transactionMode) {
			this.transactionMode = transactionMode;
			return this;
		}

		public Builder unknownTypePolicy(PgqueUnknownTypePolicy unknownTypePolicy) {
			this.unknownTypePolicy = unknownTypePolicy;
			return this;
		}

		public Builder maxBatchSize(int maxBatchSize) {
			Assert.isTrue(maxBatchSize >= 1, () -> "maxBatchSize must be at least 1 but was " + maxBatchSize);
			this.maxBatchSize = maxBatchSize;
			return this;
		}

		public Builder maxEventsInMemory(int maxEventsInMemory) {
			Assert.isTrue(maxEventsInMemory >= 1,
					() -> "maxEventsInMemory must be at least 1 but was " + maxEventsInMemory);
			this.maxEventsInMemory = maxEventsInMemory;
			return this;
		}

		public Builder pollInterval(Duration pollInterval) {
			this.pollInterval = positive("pollInterval", pollInterval);
			return this;
		}

		public Builder leaseRetryInterval(Duration leaseRetryInterval) {
			this.leaseRetryInterval = positive("leaseRetryInterval", leaseRetryInterval);
			return this;
		}

		public Builder shutdownTimeout(Duration shutdownTimeout) {
			this.shutdownTimeout = positive("shutdownTimeout", shutdownTimeout);
			return this;
		}

		public Builder failureDelay(Duration failureDelay) {
			this.failureDelay = positive("failureDelay", failureDelay);
			return this;
		}

		public Builder retry(PgqueRetrySettings retry) {
			this.retry = retry;
			return this;
		}

		public Builder notRetryableExceptions(List<Class<? extends Throwable>> notRetryableExceptions) {
			this.notRetryableExceptions = List.copyOf(notRetryableExceptions);
			return this;
		}

		public Builder concurrency(int concurrency) {
			Assert.isTrue(concurrency >= 1, () -> "concurrency must be at least 1 but was " + concurrency);
			this.concurrency = concurrency;
			return this;
		}

		public Builder deadInterval(Duration deadInterval) {
			this.deadInterval = positive("deadInterval", deadInterval);
			return this;
		}

		/**
		 * Set how often members heartbeat; by default a quarter of the dead interval.
		 * @param heartbeatInterval the interval, or {@code null} for the default
		 * @return this builder
		 */
		public Builder heartbeatInterval(@Nullable Duration heartbeatInterval) {
			this.heartbeatInterval = (heartbeatInterval != null) ? positive("heartbeatInterval", heartbeatInterval)
					: null;
			return this;
		}

		public Builder instanceId(@Nullable String instanceId) {
			Assert.isTrue(instanceId == null || instanceId.matches("[A-Za-z0-9_-]{1,100}"),
					() -> "instanceId (pgque.listener.instance-id) must be 1 to 100 letters, digits, '-' or '_' but was '"
							+ instanceId + "'");
			this.instanceId = instanceId;
			return this;
		}

		public Builder ordering(PgqueOrdering ordering) {
			this.ordering = ordering;
			return this;
		}

		public Builder keySlots(int keySlots) {
			Assert.isTrue(keySlots >= 1 && keySlots <= 1024,
					() -> "keySlots must be between 1 and 1024 but was " + keySlots);
			this.keySlots = keySlots;
			return this;
		}

		public PgqueContainerOptions build() {
			return new PgqueContainerOptions(this);
		}

		private static Duration positive(String name, Duration value) {
			Assert.isTrue(value.compareTo(Duration.ZERO) > 0, () -> name + " must be positive but was " + value);
			return value;
		}

	}

}
