package io.pgque.spring.pooler;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.autoconfigure.PgqueAutoConfiguration;
import io.pgque.spring.autoconfigure.PgqueListenerAutoConfiguration;
import io.pgque.spring.autoconfigure.PgqueTickerAutoConfiguration;
import io.pgque.spring.core.PgqueHeader;
import io.pgque.spring.listener.PgqueListenerContainerEvent;
import io.pgque.spring.test.PgqueTestDatabase;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * One application of the pooler tests: a context with the PgQue auto-configurations on a
 * JDBC URL (through a PgBouncer or direct), a listener that records every event it
 * handles in {@code results}, and a {@link Tracker} shared by the contexts of a test.
 */
final class PoolerTestApp {

	static final Tracker tracker = new Tracker();

	private PoolerTestApp() {
	}

	/**
	 * A context runner for application {@code ctx} on {@code url}; the pool is closed by
	 * the caller.
	 * @param db the test database (for the login)
	 * @param url where to connect
	 * @param ctx the application's number
	 * @param queue the queue its listener consumes
	 * @param pools where to put the pool for closing
	 * @param withTicker whether the embedded ticker runs in it
	 * @return the runner
	 */
	static ApplicationContextRunner context(PgqueTestDatabase db, String url, int ctx, String queue,
			List<HikariDataSource> pools, boolean withTicker) {
		HikariDataSource pool = new HikariDataSource();
		pool.setJdbcUrl(url);
		pool.setUsername(db.user());
		pool.setPassword(db.password());
		pool.setMaximumPoolSize(4);
		pool.setPoolName("ctx" + ctx);
		pools.add(pool);
		ApplicationContextRunner runner = new ApplicationContextRunner()
			.withConfiguration(withTicker
					? AutoConfigurations.of(JacksonAutoConfiguration.class, PgqueAutoConfiguration.class,
							PgqueListenerAutoConfiguration.class, PgqueTickerAutoConfiguration.class)
					: AutoConfigurations.of(JacksonAutoConfiguration.class, PgqueAutoConfiguration.class,
							PgqueListenerAutoConfiguration.class))
			.withBean(DataSource.class, () -> pool, (definition) -> definition.setDestroyMethodName(""))
			.withPropertyValues("pgque.schema.mode=none", "pgque.listener.poll-interval=10m",
					"pgque.listener.notification-poll-interval=100ms", "pgque.listener.lease-retry-interval=200ms",
					"pgque.listener.failure-delay=200ms", "pgque.listener.shutdown-timeout=10s",
					"pgque.ticker.mode=embedded", "pgque.ticker.takeover-interval=500ms", "test.ctx=" + ctx,
					"test.queue=" + queue)
			.withUserConfiguration(Worker.class);
		return runner;
	}

	static void prepare(JdbcTemplate jdbc, String queue) {
		jdbc.queryForObject("SELECT pgque.create_queue(?)", Integer.class, queue);
		jdbc.queryForObject("SELECT pgque.register_consumer(?, 'workers')", Integer.class, queue);
		jdbc.execute("CREATE TABLE IF NOT EXISTS results (queue text, ev_id bigint, ctx int)");
	}

	static void insert(JdbcTemplate jdbc, String queue, int count) {
		jdbc.queryForList("SELECT pgque.insert_event(?, 'test', 'e' || i) FROM generate_series(1, ?) i", Long.class,
				queue, count);
	}

	static void tick(JdbcTemplate jdbc, String queue) {
		jdbc.queryForObject("SELECT pgque.force_next_tick(?)", Long.class, queue);
		jdbc.queryForObject("SELECT pgque.ticker(?)", Long.class, queue);
	}

	static long committed(JdbcTemplate jdbc, String queue) {
		return jdbc.queryForObject("SELECT count(*) FROM results WHERE queue = ?", Long.class, queue);
	}

	/**
	 * Rows and distinct event ids committed for a queue.
	 * @param jdbc the database
	 * @param queue the queue
	 * @return "rows/distinct"
	 */
	static String rowsAndDistinct(JdbcTemplate jdbc, String queue) {
		Map<String, Object> counts = jdbc.queryForMap(
				"SELECT count(*) AS all_rows, count(DISTINCT ev_id) AS distinct_ids FROM results WHERE queue = ?",
				queue);
		return counts.get("all_rows") + "/" + counts.get("distinct_ids");
	}

	static final class Tracker {

		final AtomicInteger concurrent = new AtomicInteger();

		final AtomicInteger maxConcurrent = new AtomicInteger();

		final Map<Integer, Integer> handledByContext = new ConcurrentHashMap<>();

		final List<Integer> leaseHolders = new CopyOnWriteArrayList<>();

		final Map<Integer, Long> acquiredNanos = new ConcurrentHashMap<>();

		final List<Integer> leaseLost = new CopyOnWriteArrayList<>();

		final AtomicInteger blockAt = new AtomicInteger(-1);

		final AtomicLong blockedEventId = new AtomicLong();

		volatile CountDownLatch blocked = new CountDownLatch(1);

		volatile CountDownLatch release = new CountDownLatch(1);

		void reset() {
			this.concurrent.set(0);
			this.maxConcurrent.set(0);
			this.handledByContext.clear();
			this.leaseHolders.clear();
			this.acquiredNanos.clear();
			this.leaseLost.clear();
			this.blockAt.set(-1);
			this.blocked = new CountDownLatch(1);
			this.release = new CountDownLatch(1);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Worker {

		private final JdbcTemplate jdbc;

		private final int ctx;

		private final String queue;

		private final long pauseMillis;

		Worker(DataSource dataSource, @Value("${test.ctx}") int ctx, @Value("${test.queue}") String queue,
				@Value("${test.pause-millis:0}") long pauseMillis) {
			this.jdbc = new JdbcTemplate(dataSource);
			this.ctx = ctx;
			this.queue = queue;
			this.pauseMillis = pauseMillis;
		}

		@PgqueListener(queue = "${test.queue}", consumer = "workers")
		void on(@PgqueHeader(PgqueHeader.Name.ID) long id) throws InterruptedException {
			int now = tracker.concurrent.incrementAndGet();
			tracker.maxConcurrent.accumulateAndGet(now, Math::max);
			try {
				int handled = tracker.handledByContext.merge(this.ctx, 1, Integer::sum);
				if (this.ctx == 1 && handled == tracker.blockAt.get()) {
					tracker.blockedEventId.set(id);
					tracker.blocked.countDown();
					tracker.release.await(60, TimeUnit.SECONDS);
				}
				// a handler that takes time, so that overlapping batches are seen
				// overlapping
				Thread.sleep(this.pauseMillis);
			}
			finally {
				tracker.concurrent.decrementAndGet();
			}
			// the effect, in the batch's transaction
			this.jdbc.update("INSERT INTO results (queue, ev_id, ctx) VALUES (?, ?, ?)", this.queue, id, this.ctx);
		}

		@EventListener
		void on(PgqueListenerContainerEvent event) {
			if (event.getKind() == PgqueListenerContainerEvent.Kind.LEASE_ACQUIRED) {
				tracker.leaseHolders.add(this.ctx);
				tracker.acquiredNanos.put(this.ctx, System.nanoTime());
			}
			if (event.getKind() == PgqueListenerContainerEvent.Kind.LEASE_LOST) {
				tracker.leaseLost.add(this.ctx);
			}
		}

	}

}
