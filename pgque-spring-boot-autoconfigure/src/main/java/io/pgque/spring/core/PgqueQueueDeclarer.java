package io.pgque.spring.core;

import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.jdbc.core.JdbcOperations;

/**
 * Creates declared queues at start-up, or brings existing ones up to date.
 * <p>
 * A queue it creates gets {@code ticker_max_count = 1} unless its declaration says
 * otherwise, so every tick delivers whatever is waiting. The engine's default (500 events
 * or 3 s) suits high-volume batching, but at moderate rates makes consumers wait up to
 * {@code ticker_max_lag} for a tick regardless of how often the ticker runs. An existing
 * queue gets only the settings its declaration names.
 * <p>
 * A created queue's event sequence is also advanced once. A new sequence reports the same
 * value before and after its first event, so without this the queue's very first event
 * would not count towards {@code ticker_max_count} and would wait for an age-based tick
 * (up to {@code ticker_max_lag}).
 *
 * @author pgque-spring-boot authors
 */
public class PgqueQueueDeclarer implements InitializingBean {

	/**
	 * Settings a queue created by the starter starts with, before its declaration's.
	 */
	public static final PgqueQueueConfig STARTER_DEFAULTS = PgqueQueueConfig.builder().tickerMaxCount(1).build();

	private static final Log logger = LogFactory.getLog(PgqueQueueDeclarer.class);

	private final PgqueAdminOperations admin;

	private final @Nullable JdbcOperations jdbc;

	private final List<PgqueQueue> queues;

	public PgqueQueueDeclarer(PgqueAdminOperations admin, List<PgqueQueue> queues) {
		this(admin, null, queues);
	}

	/**
	 * Create a declarer.
	 * @param admin the administration operations
	 * @param jdbc JDBC access to the PgQue database, to advance a created queue's event
	 * sequence; {@code null} to leave it
	 * @param queues the declarations
	 */
	public PgqueQueueDeclarer(PgqueAdminOperations admin, @Nullable JdbcOperations jdbc, List<PgqueQueue> queues) {
		this.admin = admin;
		this.jdbc = jdbc;
		this.queues = List.copyOf(queues);
	}

	@Override
	public void afterPropertiesSet() {
		this.queues.forEach(this::declare);
	}

	/**
	 * Create a queue with the starter's defaults and its declared settings, or apply its
	 * declared settings to the existing queue.
	 * @param queue the declaration
	 * @return {@code true} if the queue was created
	 */
	public boolean declare(PgqueQueue queue) {
		boolean created = this.admin.createQueue(queue.name());
		if (created && this.jdbc != null) {
			this.jdbc.queryForObject(PgqueSql.ADVANCE_EVENT_SEQUENCE, Long.class, queue.name());
		}
		PgqueQueueConfig config = created ? STARTER_DEFAULTS.toBuilder().apply(queue.config()).build() : queue.config();
		if (!config.isEmpty()) {
			this.admin.setQueueConfig(queue.name(), config);
		}
		if (logger.isInfoEnabled()) {
			logger.info("PgQue queue '" + queue.name() + "' " + (created ? "created" : "exists")
					+ (config.isEmpty() ? "" : ", settings " + config.values()));
		}
		return created;
	}

	/**
	 * The declarations this declarer handles.
	 * @return the declarations
	 */
	public List<PgqueQueue> getQueues() {
		return this.queues;
	}

}
