package io.pgque.spring.listener;

import io.pgque.spring.listener.pipeline.PgqueUnknownTypePolicy;
import io.pgque.spring.listener.pipeline.PgqueTransactionMode;
import java.time.Duration;
import java.util.List;

import io.pgque.spring.convert.PgqueConversionException;
import io.pgque.spring.listener.adapter.PgqueArgumentConversionException;
import io.pgque.spring.listener.error.PgqueRetrySettings;

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
	}

	/**
	 * A builder with the defaults.
	 * @return the builder
	 */
	public static Builder builder() {
		return new Builder();
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
	 * Builds {@link PgqueContainerOptions}.
	 */
	public static final class Builder {

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

		public PgqueContainerOptions build() {
			return new PgqueContainerOptions(this);
		}

		private static Duration positive(String name, Duration value) {
			Assert.isTrue(value.compareTo(Duration.ZERO) > 0, () -> name + " must be positive but was " + value);
			return value;
		}

	}

}
