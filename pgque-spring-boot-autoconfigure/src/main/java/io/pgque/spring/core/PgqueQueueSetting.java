package io.pgque.spring.core;

/**
 * The per-queue settings {@code pgque.set_queue_config} accepts.
 *
 * @author pgque-spring-boot authors
 */
public enum PgqueQueueSetting {

	/**
	 * Events waiting that make the ticker tick (engine default 500).
	 */
	TICKER_MAX_COUNT("ticker_max_count"),

	/**
	 * Age of the oldest waiting event that makes the ticker tick (engine default 3 s).
	 */
	TICKER_MAX_LAG("ticker_max_lag"),

	/**
	 * Longest gap between ticks of an idle queue (engine default 1 min).
	 */
	TICKER_IDLE_PERIOD("ticker_idle_period"),

	/**
	 * Whether the ticker skips the queue.
	 */
	TICKER_PAUSED("ticker_paused"),

	/**
	 * How often the event tables rotate (engine default 2 h).
	 */
	ROTATION_PERIOD("rotation_period"),

	/**
	 * Whether an external ticker supplies the queue's ticks.
	 */
	EXTERNAL_TICKER("external_ticker"),

	/**
	 * Retries before nack dead-letters an event (engine default 5).
	 */
	MAX_RETRIES("max_retries");

	private final String sqlName;

	PgqueQueueSetting(String sqlName) {
		this.sqlName = sqlName;
	}

	/**
	 * The parameter name {@code set_queue_config} knows it by.
	 * @return the name
	 */
	public String sqlName() {
		return this.sqlName;
	}

}
