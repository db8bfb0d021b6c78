package io.pgque.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.pgque.spring.core.PgqueHeader;
import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The single-worker rule across application contexts (standing in for JVMs): a lease per
 * (queue, consumer), exactly-once effects in the batch transaction, and failover.
 */
class PgqueListenerLeaseIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	static final Tracker tracker = new Tracker();

	private final ListenerTestSupport support = new ListenerTestSupport(db);

	private final List<HikariDataSource> pools = new CopyOnWriteArrayList<>();

	@AfterEach
	void closePools() {
		this.pools.forEach(HikariDataSource::close);
		tracker.reset();
	}

	@Test
	void runWhenThreeContextsShareAConsumerShouldHandleEveryEventExactlyOnceOneAtATime() throws Exception {
		String queue = "three";
		prepare(queue);
		int total = 20_000;
		AtomicBoolean ticking = new AtomicBoolean(true);
		Thread ticker = ticker(queue, ticking);
		long started = System.nanoTime();
		context(queue, 1).run((c1) -> context(queue, 2).run((c2) -> context(queue, 3).run((c3) -> {
			ticker.start();
			for (int sent = 0; sent < total; sent += 500) {
				this.support.insertMany(queue, "test", "e", 500);
			}
			// hand over once on the way: close the first holder after a third of the
			// events
			await().atMost(Duration.ofSeconds(120)).until(() -> committed(queue) >= total / 3);
			(tracker.leaseHolders.get(0) == 1 ? c1 : tracker.leaseHolders.get(0) == 2 ? c2 : c3).close();
			await().atMost(Duration.ofSeconds(120)).until(() -> committed(queue) >= total);
			assertThat(tracker.leaseHolders).as("contexts that held the lease while events flowed")
				.hasSize(2)
				.doesNotHaveDuplicates();
			ticking.set(false);
			ticker.join();
		})));
		long millis = (System.nanoTime() - started) / 1_000_000;
		System.out.println("three contexts: " + total + " events in " + millis + " ms, handled per context "
				+ tracker.handledByContext);
		assertExactlyOnce(queue, total);
		assertThat(tracker.maxConcurrent.get()).as("handlers running at once across contexts").isEqualTo(1);
		assertThat(tracker.handledByContext).as("contexts that handled events").hasSize(2);
	}

	@Test
	void runWhenLeaseHolderConnectionsAreTerminatedShouldFailOverAndRedeliverTheOpenBatch() throws Exception {
		String queue = "killed";
		prepare(queue);
		tracker.blockAt.set(150);
		context(queue, 1).run((c1) -> {
			ListenerTestSupport.awaitLease(c1);
			context(queue, 2).run((c2) -> {
				this.support.insertMany(queue, "test", "e", 400);
				this.support.tick(queue);
				assertThat(tracker.blocked.await(10, TimeUnit.SECONDS)).isTrue();
				// ctx1 is inside a batch: kill its lease connection and its batch
				// connection
				int killed = db.jdbc()
					.queryForObject("""
							SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
							WHERE datname = current_database() AND (application_name = 'ctx1'
							   OR pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted))""",
							Integer.class);
				assertThat(killed).isGreaterThanOrEqualTo(2);
				tracker.release.countDown();
				await().atMost(Duration.ofSeconds(20)).until(() -> committed(queue) >= 400);
				await().atMost(Duration.ofSeconds(10)).until(() -> tracker.leaseLost.contains(1));
				assertThat(tracker.leaseHolders).contains(2);
			});
		});
		assertExactlyOnce(queue, 400);
		// the batch ctx1 was working on when it died came back, to ctx2
		long redelivered = db.jdbc()
			.queryForObject("SELECT count(*) FROM results WHERE queue = ? AND ctx = 2 AND ev_id = ?", Long.class, queue,
					tracker.blockedEventId.get());
		assertThat(redelivered).isEqualTo(1);
	}

	@Test
	void runWhenHolderContextClosesMidBatchShouldFinishItAndHandOver() throws Exception {
		String queue = "closed";
		prepare(queue);
		tracker.slowMillis = 2;
		context(queue, 1).run((c1) -> {
			ListenerTestSupport.awaitLease(c1);
			context(queue, 2).run((c2) -> {
				this.support.insertMany(queue, "test", "e", 300);
				this.support.tick(queue);
				this.support.insertMany(queue, "test", "f", 300);
				this.support.tick(queue);
				await().atMost(Duration.ofSeconds(10)).until(() -> tracker.handledByContext.getOrDefault(1, 0) > 20);
				long closing = System.nanoTime();
				c1.close();
				long closeMillis = (System.nanoTime() - closing) / 1_000_000;
				assertThat(closeMillis).as("close waits only for the batch in hand").isLessThan(5000);
				// the batch in hand was finished and acked: its events are all committed
				// by ctx1
				await().atMost(Duration.ofSeconds(20)).until(() -> committed(queue) >= 600);
				assertThat(tracker.leaseHolders).contains(2);
			});
		});
		assertExactlyOnce(queue, 600);
		long byOne = db.jdbc()
			.queryForObject("SELECT count(*) FROM results WHERE queue = ? AND ctx = 1", Long.class, queue);
		assertThat(byOne).as("events ctx1 committed").isIn(300L, 600L);
	}

	private void prepare(String queue) {
		this.support.createQueue(queue);
		this.support.subscribe(queue, "workers");
		db.jdbc().execute("CREATE TABLE IF NOT EXISTS results (queue text, ev_id bigint, ctx int)");
	}

	private ApplicationContextRunner context(String queue, int ctx) {
		HikariDataSource pool = new HikariDataSource();
		pool.setJdbcUrl(db.jdbcUrl() + "?ApplicationName=ctx" + ctx);
		pool.setUsername(db.user());
		pool.setPassword(db.password());
		pool.setMaximumPoolSize(4);
		this.pools.add(pool);
		return this.support.contextRunner(pool)
			.withPropertyValues("test.ctx=" + ctx, "test.queue=" + queue)
			.withUserConfiguration(WorkerListener.class);
	}

	private long committed(String queue) {
		return db.jdbc().queryForObject("SELECT count(*) FROM results WHERE queue = ?", Long.class, queue);
	}

	private void assertExactlyOnce(String queue, int total) {
		Map<String, Object> counts = db.jdbc()
			.queryForMap(
					"SELECT count(*) AS all_rows, count(DISTINCT ev_id) AS distinct_ids FROM results WHERE queue = ?",
					queue);
		assertThat(counts.get("all_rows")).as("rows committed").isEqualTo((long) total);
		assertThat(counts.get("distinct_ids")).as("distinct events committed").isEqualTo((long) total);
	}

	private Thread ticker(String queue, AtomicBoolean ticking) {
		return new Thread(() -> {
			while (ticking.get()) {
				this.support.tick(queue);
				try {
					Thread.sleep(20);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		});
	}

	static final class Tracker {

		final AtomicInteger concurrent = new AtomicInteger();

		final AtomicInteger maxConcurrent = new AtomicInteger();

		final Map<Integer, Integer> handledByContext = new ConcurrentHashMap<>();

		final List<Integer> leaseHolders = new CopyOnWriteArrayList<>();

		final List<Integer> leaseLost = new CopyOnWriteArrayList<>();

		final AtomicInteger blockAt = new AtomicInteger(-1);

		final java.util.concurrent.atomic.AtomicLong blockedEventId = new java.util.concurrent.atomic.AtomicLong();

		volatile CountDownLatch blocked = new CountDownLatch(1);

		volatile CountDownLatch release = new CountDownLatch(1);

		volatile int slowMillis;

		void reset() {
			this.concurrent.set(0);
			this.maxConcurrent.set(0);
			this.handledByContext.clear();
			this.leaseHolders.clear();
			this.leaseLost.clear();
			this.blockAt.set(-1);
			this.blocked = new CountDownLatch(1);
			this.release = new CountDownLatch(1);
			this.slowMillis = 0;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class WorkerListener {

		private final JdbcTemplate jdbc;

		private final int ctx;

		private final String queue;

		WorkerListener(DataSource dataSource, @Value("${test.ctx}") int ctx, @Value("${test.queue}") String queue) {
			this.jdbc = new JdbcTemplate(dataSource);
			this.ctx = ctx;
			this.queue = queue;
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
					tracker.release.await(10, TimeUnit.SECONDS);
				}
				if (tracker.slowMillis > 0) {
					Thread.sleep(tracker.slowMillis);
				}
			}
			finally {
				tracker.concurrent.decrementAndGet();
			}
			this.jdbc.update("INSERT INTO results (queue, ev_id, ctx) VALUES (?, ?, ?)", this.queue, id, this.ctx);
		}

		@EventListener
		void on(PgqueListenerContainerEvent event) {
			if (event.getKind() == PgqueListenerContainerEvent.Kind.LEASE_ACQUIRED) {
				tracker.leaseHolders.add(this.ctx);
			}
			if (event.getKind() == PgqueListenerContainerEvent.Kind.LEASE_LOST) {
				tracker.leaseLost.add(this.ctx);
			}
		}

	}

}
