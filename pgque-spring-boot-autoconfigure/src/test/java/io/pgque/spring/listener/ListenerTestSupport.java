package io.pgque.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.pgque.spring.autoconfigure.PgqueAutoConfiguration;
import io.pgque.spring.autoconfigure.PgqueListenerAutoConfiguration;
import io.pgque.spring.test.PgqueTestDatabase;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shared set-up of the listener integration tests: a context on the test database, and
 * SQL to create queues, insert events and tick.
 */
final class ListenerTestSupport {

	private final PgqueTestDatabase db;

	ListenerTestSupport(PgqueTestDatabase db) {
		this.db = db;
	}

	/**
	 * A context runner with the PgQue auto-configurations on the test database (not
	 * closed with the context), fast defaults and a long fallback poll, so that fast
	 * delivery proves the NOTIFY wake-up.
	 * @return the runner
	 */
	/**
	 * Wait until every listener container of a context holds its lease.
	 * @param context the context
	 */
	static void awaitLease(ApplicationContext context) {
		awaitLease(context.getBean(PgqueListenerContainerRegistry.class));
	}

	/**
	 * Wait until every container of a registry holds its lease.
	 * @param registry the registry
	 */
	static void awaitLease(PgqueListenerContainerRegistry registry) {
		await().atMost(Duration.ofSeconds(10))
			.until(() -> registry.getListenerContainers().stream().allMatch(PgqueListenerContainer::hasLease));
	}

	ApplicationContextRunner contextRunner() {
		return contextRunner(new DelegatingDataSource(this.db.dataSource()));
	}

	/**
	 * A context runner on the given DataSource, which the context does not close.
	 * @param dataSource the DataSource
	 * @return the runner
	 */
	ApplicationContextRunner contextRunner(DataSource dataSource) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, PgqueAutoConfiguration.class,
					PgqueListenerAutoConfiguration.class))
			.withBean(DataSource.class, () -> dataSource, (definition) -> definition.setDestroyMethodName(""))
			.withPropertyValues("pgque.schema.mode=none", "pgque.listener.poll-interval=10m",
					"pgque.listener.lease-retry-interval=200ms", "pgque.listener.failure-delay=200ms",
					"pgque.listener.retry.initial-back-off=10ms", "pgque.listener.retry.retry-delay=0s",
					"pgque.listener.shutdown-timeout=10s");
	}

	JdbcTemplate jdbc() {
		return this.db.jdbc();
	}

	void createQueue(String queue) {
		jdbc().queryForObject("SELECT pgque.create_queue(?)", Integer.class, queue);
	}

	void subscribe(String queue, String consumer) {
		jdbc().queryForObject("SELECT pgque.register_consumer(?, ?)", Integer.class, queue, consumer);
	}

	long insert(String queue, String type, String data) {
		return jdbc().queryForObject("SELECT pgque.insert_event(?, ?, ?)", Long.class, queue, type, data);
	}

	List<Long> insertMany(String queue, String type, String prefix, int count) {
		return jdbc().queryForList("SELECT pgque.insert_event(?, ?, ? || i) FROM generate_series(1, ?) i ORDER BY i",
				Long.class, queue, type, prefix, count);
	}

	/**
	 * Force a tick in two transactions; the ticker NOTIFYs {@code pgque_<queue>}.
	 * @param queue the queue
	 */
	void tick(String queue) {
		jdbc().queryForObject("SELECT pgque.force_next_tick(?)", Long.class, queue);
		jdbc().queryForObject("SELECT pgque.ticker(?)", Long.class, queue);
	}

	/**
	 * Make due retries visible: move them back into the queue, then tick.
	 * @param queue the queue
	 */
	void moveRetriesAndTick(String queue) {
		while (jdbc().queryForObject("SELECT pgque.maint_retry_events()", Integer.class) > 0) {
			// loop until every due retry moved
		}
		tick(queue);
	}

	/**
	 * Whether the consumer has acked everything up to the queue's last tick, as
	 * committed: unlike "no open batch", this is false while a batch transaction is still
	 * running.
	 * @param queue the queue
	 * @param consumer the consumer
	 * @return whether its cursor stands on the last tick with no batch open
	 */
	boolean isCaughtUp(String queue, String consumer) {
		return jdbc().queryForObject("""
				SELECT s.sub_batch IS NULL
				    AND s.sub_last_tick = (SELECT max(t.tick_id) FROM pgque.tick t WHERE t.tick_queue = s.sub_queue)
				FROM pgque.subscription s JOIN pgque.queue q ON q.queue_id = s.sub_queue
				JOIN pgque.consumer c ON c.co_id = s.sub_consumer
				WHERE q.queue_name = ? AND c.co_name = ?""", Boolean.class, queue, consumer);
	}

	/**
	 * A pool of its own for one application context, named for pg_stat_activity.
	 * @param applicationName the connections' application_name
	 * @param maximumPoolSize the pool size
	 * @return the pool; the caller closes it
	 */
	HikariDataSource pool(String applicationName, int maximumPoolSize) {
		HikariDataSource pool = new HikariDataSource();
		pool.setJdbcUrl(this.db.jdbcUrl() + "?ApplicationName=" + applicationName);
		pool.setUsername(this.db.user());
		pool.setPassword(this.db.password());
		pool.setMaximumPoolSize(maximumPoolSize);
		return pool;
	}

	/**
	 * Assert a results table (queue, ev_id, ...) has exactly one row per event.
	 * @param table the table
	 * @param queue the queue whose rows count
	 * @param total the events sent
	 */
	void assertExactlyOnce(String table, String queue, int total) {
		Map<String, Object> counts = jdbc().queryForMap(
				"SELECT count(*) AS all_rows, count(DISTINCT ev_id) AS distinct_ids FROM " + table + " WHERE queue = ?",
				queue);
		assertThat(counts.get("distinct_ids")).as("distinct events committed").isEqualTo((long) total);
		assertThat(counts.get("all_rows")).as("rows committed").isEqualTo((long) total);
	}

	/**
	 * A thread that ticks the queue until told to stop.
	 * @param queue the queue
	 * @param ticking cleared to stop
	 * @param periodMillis the pause between ticks
	 * @return the thread, not started
	 */
	Thread ticker(String queue, AtomicBoolean ticking, long periodMillis) {
		return new Thread(() -> {
			while (ticking.get()) {
				tick(queue);
				try {
					Thread.sleep(periodMillis);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		});
	}

}
