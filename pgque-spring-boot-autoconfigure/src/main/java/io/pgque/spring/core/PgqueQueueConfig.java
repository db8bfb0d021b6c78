package io.pgque.spring.core;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Settings to apply to a queue; those not mentioned stay as they are. Build with
 * {@link #builder()}:
 *
 * <pre class="code">
 * PgqueQueueConfig.builder().tickerMaxCount(1).maxRetries(3).build();
 * </pre>
 *
 * Values are checked here, before any SQL runs.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueQueueConfig {

	private static final PgqueQueueConfig EMPTY = new PgqueQueueConfig(new EnumMap<>(PgqueQueueSetting.class));

	private final Map<PgqueQueueSetting, @Nullable String> values;

	private PgqueQueueConfig(EnumMap<PgqueQueueSetting, @Nullable String> values) {
		this.values = Collections.unmodifiableMap(values);
	}

	/**
	 * A config that changes nothing.
	 * @return the config
	 */
	public static PgqueQueueConfig empty() {
		return EMPTY;
	}

	/**
	 * Start building a config.
	 * @return a builder
	 */
	public static Builder builder() {
		return new Builder(new EnumMap<>(PgqueQueueSetting.class));
	}

	/**
	 * A builder holding this config's settings.
	 * @return a builder
	 */
	public Builder toBuilder() {
		EnumMap<PgqueQueueSetting, @Nullable String> copy = new EnumMap<>(PgqueQueueSetting.class);
		copy.putAll(this.values);
		return new Builder(copy);
	}

	/**
	 * The settings, in SQL text form; a {@code null} value resets the setting to the
	 * engine's default.
	 * @return the settings, in declaration order
	 */
	public Map<PgqueQueueSetting, @Nullable String> values() {
		return this.values;
	}

	/**
	 * Whether this config mentions a setting.
	 * @param setting the setting
	 * @return whether it is set or reset here
	 */
	public boolean contains(PgqueQueueSetting setting) {
		return this.values.containsKey(setting);
	}

	public boolean isEmpty() {
		return this.values.isEmpty();
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (other instanceof PgqueQueueConfig config) && this.values.equals(config.values);
	}

	@Override
	public int hashCode() {
		return this.values.hashCode();
	}

	@Override
	public String toString() {
		return "PgqueQueueConfig" + this.values;
	}

	/**
	 * Builds a {@link PgqueQueueConfig}.
	 */
	public static final class Builder {

		private final EnumMap<PgqueQueueSetting, @Nullable String> values;

		private Builder(EnumMap<PgqueQueueSetting, @Nullable String> values) {
			this.values = values;
		}

		/**
		 * Tick once this many events are waiting; {@code 1} ticks whatever is waiting.
		 * @param count at least 1
		 * @return this builder
		 */
		public Builder tickerMaxCount(int count) {
			if (count < 1) {
				throw new IllegalArgumentException("ticker_max_count must be at least 1, was " + count);
			}
			return put(PgqueQueueSetting.TICKER_MAX_COUNT, Integer.toString(count));
		}

		/**
		 * Tick once the oldest waiting event is this old.
		 * @param lag positive
		 * @return this builder
		 */
		public Builder tickerMaxLag(Duration lag) {
			return put(PgqueQueueSetting.TICKER_MAX_LAG, interval("ticker_max_lag", lag));
		}

		/**
		 * Longest gap between ticks of an idle queue.
		 * @param period positive
		 * @return this builder
		 */
		public Builder tickerIdlePeriod(Duration period) {
			return put(PgqueQueueSetting.TICKER_IDLE_PERIOD, interval("ticker_idle_period", period));
		}

		/**
		 * How often the event tables rotate.
		 * @param period positive
		 * @return this builder
		 */
		public Builder rotationPeriod(Duration period) {
			return put(PgqueQueueSetting.ROTATION_PERIOD, interval("rotation_period", period));
		}

		/**
		 * Retries before nack dead-letters an event; {@code 0} dead-letters on the first
		 * nack.
		 * @param retries at least 0
		 * @return this builder
		 */
		public Builder maxRetries(int retries) {
			if (retries < 0) {
				throw new IllegalArgumentException("max_retries must be at least 0, was " + retries);
			}
			return put(PgqueQueueSetting.MAX_RETRIES, Integer.toString(retries));
		}

		/**
		 * Pause or resume ticking of the queue.
		 * @param paused whether the ticker skips it
		 * @return this builder
		 */
		public Builder tickerPaused(boolean paused) {
			return put(PgqueQueueSetting.TICKER_PAUSED, Boolean.toString(paused));
		}

		/**
		 * Hand the queue's ticks to an external ticker, or take them back.
		 * @param external whether an external ticker supplies the ticks
		 * @return this builder
		 */
		public Builder externalTicker(boolean external) {
			return put(PgqueQueueSetting.EXTERNAL_TICKER, Boolean.toString(external));
		}

		/**
		 * Reset a setting to the engine's default.
		 * @param setting the setting
		 * @return this builder
		 */
		public Builder reset(PgqueQueueSetting setting) {
			return put(setting, null);
		}

		/**
		 * Add the settings of another config, which win over this builder's.
		 * @param other the other config
		 * @return this builder
		 */
		public Builder apply(PgqueQueueConfig other) {
			this.values.putAll(other.values);
			return this;
		}

		public PgqueQueueConfig build() {
			return new PgqueQueueConfig(new EnumMap<>(this.values));
		}

		private Builder put(PgqueQueueSetting setting, @Nullable String value) {
			this.values.put(setting, value);
			return this;
		}

		private static String interval(String name, Duration duration) {
			if (duration.isNegative() || duration.isZero()) {
				throw new IllegalArgumentException(name + " must be positive, was " + duration);
			}
			return PgqueInterval.of(duration);
		}

	}

}
