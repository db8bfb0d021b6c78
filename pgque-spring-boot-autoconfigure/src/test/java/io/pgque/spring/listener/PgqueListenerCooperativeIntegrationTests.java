package io.pgque.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.core.PgqueHeader;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.pgque.spring.config.DefaultPgqueListenerContainerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cooperative workers ({@code concurrency} above 1) across application contexts (standing
 * in for JVMs) on one consumer: exactly-once effects with batches processed in parallel,
 * takeover of a dead or hung worker's batch with the late ack fenced, graceful hand-back,
 * and conversion of a single-worker consumer to cooperative and back with events in
 * flight.
 */
class PgqueListenerCooperativeIntegrationTests {

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
	void runWhenThreeContextsRunFourWorkersEachShouldHandleEveryEventExactlyOnceInParallel() throws Exception {
		String queue = "coop_parallel";
		prepare(queue);
		int total = 50_000;
		AtomicBoolean ticking = new AtomicBoolean(true);
		Thread ticker = ticker(queue, ticking);
		// preloaded, a tick per 1,000 events: 50 batches wait, so the workers'
		// parallelism
		// is not capped by how fast events arrive
		for (int sent = 0; sent < total; sent += 1000) {
			this.support.insertMany(queue, "test", "e", 1000);
			this.support.tick(queue);
		}
		long started = System.nanoTime();
		context(queue, 1, 4, BatchWorkerListener.class).withPropertyValues("pgque.listener.dead-interval=10s")
			.run((c1) -> context(queue, 2, 4, BatchWorkerListener.class)
				.withPropertyValues("pgque.listener.dead-interval=10s")
				.run((c2) -> context(queue, 3, 4, BatchWorkerListener.class)
					.withPropertyValues("pgque.listener.dead-interval=10s")
					.run((c3) -> {
						ticker.start();
						try {
							await().atMost(Duration.ofSeconds(240)).until(() -> committed(queue) >= total);
						}
						finally {
							ticking.set(false);
							ticker.join();
						}
						assertThat(c1.getBean(PgqueListenerContainerRegistry.class).getListenerContainers())
							.singleElement()
							.satisfies((container) -> assertThat(container.getMembers()).hasSize(4));
					})));
		long millis = (System.nanoTime() - started) / 1_000_000;
		System.out.println("cooperative 3 x 4: " + total + " events in " + millis + " ms, handled per context "
				+ tracker.handledByContext + ", most batches at once " + tracker.maxBatchesAtOnce.get());
		assertExactlyOnce(queue, total);
		assertThat(tracker.maxBatchesAtOnce.get()).as("batches processed at the same moment").isGreaterThan(1);
		assertThat(tracker.handledByContext).as("contexts that handled events").hasSize(3);
		assertThat(members(queue)).as("members left on graceful stop").isZero();
		assertThat(role(queue)).as("the last member leaving turns the consumer back to a plain one")
			.isEqualTo("normal");
	}

	@Test
	void runWhenWorkerConnectionIsTerminatedMidBatchShouldLoseAndRepeatNothing() throws Exception {
		String queue = "coop_killed";
		prepare(queue);
		tracker.blockAt.set(5);
		context(queue, 1, 2).run((c1) -> {
			awaitJoined(c1);
			for (int i = 0; i < 8; i++) {
				this.support.insertMany(queue, "test", "e" + i + "-", 100);
				this.support.tick(queue);
			}
			assertThat(tracker.blocked.await(20, TimeUnit.SECONDS)).isTrue();
			context(queue, 2, 2).run((c2) -> {
				awaitJoined(c2);
				// the blocked worker of ctx1 is inside its batch transaction: kill every
				// pooled connection of ctx1
				int killed = db.jdbc()
					.queryForObject(
							"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
									+ " WHERE datname = current_database() AND application_name = 'ctx1'",
							Integer.class);
				assertThat(killed).isGreaterThanOrEqualTo(1);
				tracker.release.countDown();
				await().atMost(Duration.ofSeconds(30)).until(() -> committed(queue) >= 800);
			});
		});
		assertExactlyOnce(queue, 800);
	}

	@Test
	void runWhenWorkerHangsPastTheDeadIntervalShouldHaveItsBatchTakenOverAndItsAckFenced() throws Exception {
		String queue = "coop_hung";
		prepare(queue);
		tracker.blockAt.set(50);
		AtomicBoolean ticking = new AtomicBoolean(true);
		Thread ticker = ticker(queue, ticking);
		// ctx1 heartbeats far too rarely: a hung worker there goes silent, as in a long
		// stop-the-world pause
		context(queue, 1, 2).withPropertyValues("test.heartbeat=1h").run((c1) -> {
			awaitJoined(c1);
			ticker.start();
			this.support.insertMany(queue, "test", "e", 300);
			assertThat(tracker.blocked.await(20, TimeUnit.SECONDS)).isTrue();
			long blockedEvent = tracker.blockedEventId.get();
			context(queue, 2, 2).run((c2) -> {
				// another worker (of ctx2, or the other one of ctx1) takes the batch over
				// after the dead interval and commits it
				await().atMost(Duration.ofSeconds(30))
					.until(() -> committedEvent(queue, blockedEvent) == 1 && committed(queue) >= 300);
				tracker.release.countDown();
				// the hung worker goes on with its batch and tries to ack it: its work
				// must not commit
				await().atMost(Duration.ofSeconds(10))
					.until(() -> c1.getBean(PgqueListenerContainerRegistry.class)
						.getListenerContainers()
						.stream()
						.flatMap((container) -> container.getMembers().stream())
						.noneMatch((member) -> tracker.blockedWorker.endsWith(member.name())
								&& "processing".equals(member.state())));
				Thread.sleep(500);
				assertExactlyOnce(queue, 300);
				assertThat(tracker.takenOver).as("contexts whose worker was fenced").contains(1);
				ticking.set(false);
				ticker.join();
			});
		});
		assertExactlyOnce(queue, 300);
		assertThat(db.jdbc()
			.queryForObject("SELECT worker FROM coop_results WHERE queue = ? AND ev_id = ?", String.class, queue,
					tracker.blockedEventId.get()))
			.as("the worker that committed the hung worker's event")
			.isNotEqualTo(tracker.blockedWorker);
	}

	@Test
	void runWhenStoppedMidBatchShouldHandTheOpenBatchBack() throws Exception {
		String queue = "coop_handback";
		prepare(queue);
		tracker.blockAt.set(10);
		ConfigurableApplicationContext[] first = new ConfigurableApplicationContext[1];
		context(queue, 1, 2).withPropertyValues("pgque.listener.shutdown-timeout=1s").run((c1) -> {
			awaitJoined(c1);
			first[0] = c1;
			this.support.insertMany(queue, "test", "e", 100);
			this.support.tick(queue);
			assertThat(tracker.blocked.await(20, TimeUnit.SECONDS)).isTrue();
			c1.close();
		});
		long retried = db.jdbc()
			.queryForObject("SELECT count(*) FROM pgque.retry_queue r JOIN pgque.queue q ON q.queue_id = r.ev_queue"
					+ " WHERE q.queue_name = ?", Long.class, queue);
		assertThat(retried).as("events of the open batch handed back").isEqualTo(100);
		assertThat(committed(queue)).isZero();
		assertThat(members(queue)).isZero();
		tracker.release.countDown();
		// the engine retries a handed-back batch after 60 s; make it due now
		db.jdbc().update("UPDATE pgque.retry_queue SET ev_retry_after = now()");
		context(queue, 2, 2).run((c2) -> {
			this.support.moveRetriesAndTick(queue);
			await().atMost(Duration.ofSeconds(20)).until(() -> committed(queue) >= 100);
		});
		assertExactlyOnce(queue, 100);
	}

	@Test
	void runWhenConcurrencyChangesFromOneToThreeAndBackShouldLoseAndRepeatNothing() throws Exception {
		String queue = "coop_convert";
		prepare(queue);
		AtomicBoolean ticking = new AtomicBoolean(true);
		Thread ticker = ticker(queue, ticking);
		AtomicBoolean sending = new AtomicBoolean(true);
		AtomicInteger sent = new AtomicInteger();
		Thread sender = new Thread(() -> {
			while (sending.get()) {
				this.support.insertMany(queue, "test", "e", 20);
				sent.addAndGet(20);
				sleep(20);
			}
		});
		ticker.start();
		sender.start();
		// single worker, then a cooperative deployment beside it, then the single one
		// goes
		ApplicationContextRunner single = context(queue, 1, 1);
		ApplicationContextRunner cooperative = context(queue, 2, 3);
		ApplicationContextRunner singleAgain = context(queue, 3, 1);
		single.run((s1) -> {
			await().atMost(Duration.ofSeconds(20)).until(() -> tracker.handledByContext.getOrDefault(1, 0) > 200);
			cooperative.run((co) -> {
				await().atMost(Duration.ofSeconds(20)).until(() -> role(queue).equals("coop_main"));
				await().atMost(Duration.ofSeconds(20)).until(() -> tracker.handledByContext.getOrDefault(2, 0) > 200);
				s1.close();
				// and back: a single-worker deployment beside it, then the cooperative
				// one goes
				singleAgain.run((s3) -> {
					int before = tracker.handledByContext.getOrDefault(2, 0);
					await().atMost(Duration.ofSeconds(20))
						.until(() -> tracker.handledByContext.getOrDefault(2, 0) > before + 200);
					co.close();
					await().atMost(Duration.ofSeconds(20)).until(() -> role(queue).equals("normal"));
					await().atMost(Duration.ofSeconds(20))
						.until(() -> tracker.handledByContext.getOrDefault(3, 0) > 200);
					sending.set(false);
					sender.join();
					await().atMost(Duration.ofSeconds(60)).until(() -> committed(queue) >= sent.get());
				});
			});
		});
		ticking.set(false);
		ticker.join();
		System.out.println(
				"conversion 1 -> 3 -> 1: " + sent.get() + " events, handled per context " + tracker.handledByContext);
		assertExactlyOnce(queue, sent.get());
		assertThat(tracker.handledByContext).containsKeys(1, 2, 3);
	}

	private void prepare(String queue) {
		this.support.createQueue(queue);
		this.support.subscribe(queue, "workers");
		db.jdbc().execute("CREATE TABLE IF NOT EXISTS coop_results (queue text, ev_id bigint, ctx int, worker text)");
	}

	private ApplicationContextRunner context(String queue, int ctx, int concurrency) {
		return context(queue, ctx, concurrency, WorkerListener.class);
	}

	private ApplicationContextRunner context(String queue, int ctx, int concurrency, Class<?> listener) {
		HikariDataSource pool = this.support.pool("ctx" + ctx, concurrency + 2);
		this.pools.add(pool);
		return this.support.contextRunner(pool)
			.withPropertyValues("test.ctx=" + ctx, "test.queue=" + queue, "pgque.listener.concurrency=" + concurrency,
					"pgque.listener.dead-interval=1s", "pgque.listener.instance-id=ctx" + ctx)
			.withUserConfiguration(listener, HeartbeatCustomizer.class);
	}

	private static void awaitJoined(ConfigurableApplicationContext... contexts) {
		for (ConfigurableApplicationContext context : contexts) {
			ListenerTestSupport.awaitLease(context);
		}
	}

	private long committed(String queue) {
		return db.jdbc().queryForObject("SELECT count(*) FROM coop_results WHERE queue = ?", Long.class, queue);
	}

	private long committedEvent(String queue, long eventId) {
		return db.jdbc()
			.queryForObject("SELECT count(*) FROM coop_results WHERE queue = ? AND ev_id = ?", Long.class, queue,
					eventId);
	}

	private long members(String queue) {
		return db.jdbc()
			.queryForObject("SELECT count(*) FROM pgque.subscription s JOIN pgque.queue q ON q.queue_id = s.sub_queue"
					+ " WHERE q.queue_name = ? AND s.sub_role = 'coop_member'", Long.class, queue);
	}

	private String role(String queue) {
		return db.jdbc()
			.queryForObject("SELECT s.sub_role FROM pgque.subscription s JOIN pgque.queue q ON q.queue_id = s.sub_queue"
					+ " JOIN pgque.consumer c ON c.co_id = s.sub_consumer WHERE q.queue_name = ? AND c.co_name = ?",
					String.class, queue, "workers");
	}

	private void assertExactlyOnce(String queue, int total) {
		this.support.assertExactlyOnce("coop_results", queue, total);
	}

	private Thread ticker(String queue, AtomicBoolean ticking) {
		return this.support.ticker(queue, ticking, 20);
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	static final class Tracker {

		final Map<Integer, Integer> handledByContext = new ConcurrentHashMap<>();

		final Set<Long> batchesInHand = ConcurrentHashMap.newKeySet();

		final AtomicInteger maxBatchesAtOnce = new AtomicInteger();

		final List<Integer> takenOver = new CopyOnWriteArrayList<>();

		final AtomicInteger blockAt = new AtomicInteger(-1);

		final AtomicLong blockedEventId = new AtomicLong();

		volatile CountDownLatch blocked = new CountDownLatch(1);

		volatile CountDownLatch release = new CountDownLatch(1);

		volatile int slowMillis;

		volatile String blockedWorker = "";

		void reset() {
			this.handledByContext.clear();
			this.batchesInHand.clear();
			this.maxBatchesAtOnce.set(0);
			this.takenOver.clear();
			this.blockAt.set(-1);
			this.blocked = new CountDownLatch(1);
			this.release = new CountDownLatch(1);
			this.slowMillis = 0;
		}

	}

	// test.heartbeat sets the heartbeat interval, which has no property of its own
	@Configuration(proxyBeanMethods = false)
	static class HeartbeatCustomizer {

		@Bean
		static BeanPostProcessor heartbeatInterval(Environment environment) {
			return new BeanPostProcessor() {

				@Override
				public Object postProcessAfterInitialization(Object bean, String beanName) {
					String interval = environment.getProperty("test.heartbeat");
					if (interval != null && bean instanceof DefaultPgqueListenerContainerFactory factory) {
						factory.setOptions(factory.getOptions()
							.toBuilder()
							.heartbeatInterval(DurationStyle.detectAndParse(interval))
							.build());
					}
					return bean;
				}

			};
		}

	}

	// a row per event, written with one statement per slice of the batch
	@Configuration(proxyBeanMethods = false)
	static class BatchWorkerListener {

		private final JdbcTemplate jdbc;

		private final int ctx;

		private final String queue;

		BatchWorkerListener(DataSource dataSource, @Value("${test.ctx}") int ctx,
				@Value("${test.queue}") String queue) {
			this.jdbc = new JdbcTemplate(dataSource);
			this.ctx = ctx;
			this.queue = queue;
		}

		@PgqueListener(queue = "${test.queue}", consumer = "workers")
		void on(List<PgqueMessage> messages, @PgqueHeader(PgqueHeader.Name.BATCH_ID) long batch)
				throws InterruptedException {
			tracker.batchesInHand.add(batch);
			tracker.maxBatchesAtOnce.accumulateAndGet(tracker.batchesInHand.size(), Math::max);
			try {
				tracker.handledByContext.merge(this.ctx, messages.size(), Integer::sum);
				// long enough for batches of other workers to overlap this one
				Thread.sleep(50);
				Long[] ids = messages.stream().map(PgqueMessage::id).toArray(Long[]::new);
				this.jdbc.update("INSERT INTO coop_results (queue, ev_id, ctx) SELECT ?, unnest(?::bigint[]), ?",
						this.queue, ids, this.ctx);
			}
			finally {
				tracker.batchesInHand.remove(batch);
			}
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
		void on(@PgqueHeader(PgqueHeader.Name.ID) long id, @PgqueHeader(PgqueHeader.Name.BATCH_ID) long batch)
				throws InterruptedException {
			tracker.batchesInHand.add(batch);
			tracker.maxBatchesAtOnce.accumulateAndGet(tracker.batchesInHand.size(), Math::max);
			try {
				int handled = tracker.handledByContext.merge(this.ctx, 1, Integer::sum);
				if (this.ctx == 1 && handled == tracker.blockAt.get()) {
					tracker.blockedEventId.set(id);
					tracker.blockedWorker = Thread.currentThread().getName();
					tracker.blocked.countDown();
					tracker.release.await(60, TimeUnit.SECONDS);
				}
				if (tracker.slowMillis > 0) {
					Thread.sleep(tracker.slowMillis);
				}
			}
			finally {
				tracker.batchesInHand.remove(batch);
			}
			this.jdbc.update("INSERT INTO coop_results (queue, ev_id, ctx) VALUES (?, ?, ?)", this.queue, id, this.ctx);
		}

		@EventListener
		void on(PgqueListenerContainerEvent event) {
			if (event.getKind() == PgqueListenerContainerEvent.Kind.BATCH_TAKEN_OVER) {
				tracker.takenOver.add(this.ctx);
			}
		}

	}

}
