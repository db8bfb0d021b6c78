package io.pgque.spring.health;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.pgque.spring.test.PgqueTestDatabase;
import io.pgque.spring.test.StatementCountingDataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

class PgqueHealthIndicatorIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	@RegisterExtension
	static final PgqueTestDatabase noEngine = PgqueTestDatabase.empty();

	@BeforeEach
	void dropQueues() {
		db.jdbc().queryForList("SELECT queue_name FROM pgque.queue", String.class).forEach((queue) -> {
			db.jdbc().queryForObject("SELECT pgque.drop_queue(?, true)", Integer.class, queue);
		});
	}

	@Test
	void healthIsDownWithoutTheEngine() {
		Health health = indicator(noEngine, rules(Duration.ofSeconds(30), null)).health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails().get("error").toString()).contains("not installed");
	}

	@Test
	void healthIsUpWithFreshQueuesAndReportsThem() {
		db.jdbc().queryForObject("SELECT pgque.create_queue('orders')", Integer.class);
		db.jdbc().queryForObject("SELECT pgque.subscribe('orders', 'billing')", Integer.class);
		Health health = indicator(db, rules(Duration.ofSeconds(30), null)).health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails().get("version")).isEqualTo("0.2.0");
		assertThat(((Map<?, ?>) health.getDetails().get("queues")).containsKey("orders")).isTrue();
		assertThat(((Map<?, ?>) health.getDetails().get("consumers")).containsKey("orders/billing")).isTrue();
	}

	@Test
	void healthIsDownWhenAQueueWithWaitingEventsHasNotTicked() {
		db.jdbc().queryForObject("SELECT pgque.create_queue('stalled')", Integer.class);
		db.jdbc().queryForObject("SELECT pgque.insert_event('stalled', 't', 'x')", Long.class);
		db.jdbc().queryForObject("SELECT pgque.insert_event('stalled', 't', 'y')", Long.class);
		ageTicks("stalled", "10 minutes");
		Health health = indicator(db, rules(Duration.ofSeconds(30), null)).health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat((List<?>) health.getDetails().get("problems")).singleElement()
			.asString()
			.contains("queue 'stalled'");
	}

	// an idle queue ticks once per ticker_idle_period (default 1 minute), a busy one
	// within ticker_max_lag (default 3 s): 50 s of silence is normal for the first only
	@Test
	void healthJudgesAnIdleQueueByItsIdlePeriodAndABusyOneByItsMaxLag() {
		db.jdbc().queryForObject("SELECT pgque.create_queue('idle')", Integer.class);
		db.jdbc().queryForObject("SELECT pgque.create_queue('busy')", Integer.class);
		// two: a new queue's first event does not count (its sequence reads 1 before and
		// after it, contract §3.5)
		db.jdbc().queryForObject("SELECT pgque.insert_event('busy', 't', 'x')", Long.class);
		db.jdbc().queryForObject("SELECT pgque.insert_event('busy', 't', 'y')", Long.class);
		ageTicks("idle", "50 seconds");
		ageTicks("busy", "50 seconds");
		Health health = indicator(db, rules(Duration.ofSeconds(5), null)).health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat((List<?>) health.getDetails().get("problems")).singleElement().asString().contains("queue 'busy'");

		ageTicks("idle", "10 minutes");
		assertThat((List<?>) indicator(db, rules(Duration.ofSeconds(5), null)).health().getDetails().get("problems"))
			.anySatisfy((problem) -> assertThat(problem).asString().contains("queue 'idle'"));
	}

	@Test
	void healthDoesNotJudgePausedOrExternallyTickedQueues() {
		for (String queue : List.of("paused", "external")) {
			db.jdbc().queryForObject("SELECT pgque.create_queue(?)", Integer.class, queue);
			db.jdbc().queryForObject("SELECT pgque.insert_event(?, 't', 'x')", Long.class, queue);
			db.jdbc().queryForObject("SELECT pgque.insert_event(?, 't', 'y')", Long.class, queue);
			ageTicks(queue, "10 minutes");
		}
		PgqueHealthIndicator indicator = indicator(db, rules(Duration.ofSeconds(30), null));
		assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);

		db.jdbc().queryForObject("SELECT pgque.set_queue_config('paused', 'ticker_paused', 'true')", Integer.class);
		db.jdbc().queryForObject("SELECT pgque.set_queue_config('external', 'external_ticker', 'true')", Integer.class);
		Health health = indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(((Map<?, ?>) health.getDetails().get("queues")).keySet().stream().map(Object::toString))
			.containsOnly("paused", "external");
	}

	@Test
	void healthIsDownWhenAConsumerLagsMoreThanAllowed() {
		db.jdbc().queryForObject("SELECT pgque.create_queue('slow')", Integer.class);
		db.jdbc().queryForObject("SELECT pgque.subscribe('slow', 'reporting')", Integer.class);
		ageTicks("slow", "30 seconds");
		PgqueHealthIndicator strict = indicator(db, rules(Duration.ofHours(1), Duration.ofSeconds(10)));
		Health health = strict.health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat((List<?>) health.getDetails().get("problems")).singleElement()
			.asString()
			.contains("consumer 'slow/reporting'");
		PgqueHealthIndicator lenient = indicator(db, rules(Duration.ofHours(1), Duration.ofMinutes(5)));
		assertThat(lenient.health().getStatus()).isEqualTo(Status.UP);
	}

	@Test
	void healthProbeIssuesTwoStatementsWhateverTheNumberOfQueuesAndConsumers() {
		db.jdbc().execute("""
				SELECT pgque.create_queue('q' || g) FROM generate_series(1, 50) g;
				SELECT pgque.subscribe('q' || g, 'c' || c) FROM generate_series(1, 50) g, generate_series(1, 2) c;
				""");
		deadLetters("q1", 1500);
		StatementCountingDataSource counting = new StatementCountingDataSource(db.dataSource());
		PgqueHealthIndicator indicator = new PgqueHealthIndicator(
				new PgqueHealthProbe(counting, Duration.ofSeconds(5), Duration.ZERO, 1000),
				rules(Duration.ofHours(1), null), List::of);
		Health health = indicator.health();
		System.out
			.println("PgQue health probe with 50 queues and 100 consumers: " + counting.statements() + " statements");
		assertThat(counting.statements()).isLessThanOrEqualTo(2);
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat((Map<?, ?>) health.getDetails().get("queues")).hasSize(50);
		assertThat((Map<?, ?>) health.getDetails().get("consumers")).hasSize(100);
		// counted up to the limit, not over the whole table
		Map<?, ?> q1 = (Map<?, ?>) ((Map<?, ?>) health.getDetails().get("queues")).get("q1");
		assertThat(q1.get("deadLetters")).isEqualTo(1000L);
		assertThat(q1.get("deadLettersAtLeast")).isEqualTo(true);
	}

	@Test
	void healthProbeReusesItsResultForTheCacheTime() {
		StatementCountingDataSource counting = new StatementCountingDataSource(db.dataSource());
		PgqueHealthIndicator indicator = new PgqueHealthIndicator(
				new PgqueHealthProbe(counting, Duration.ofSeconds(5), Duration.ofHours(1), 1000),
				rules(Duration.ofHours(1), null), List::of);
		indicator.health();
		int first = counting.statements();
		db.jdbc().queryForObject("SELECT pgque.create_queue('later')", Integer.class);
		Health health = indicator.health();
		assertThat(counting.statements()).isEqualTo(first);
		assertThat(((Map<?, ?>) health.getDetails().get("queues")).containsKey("later")).isFalse();
	}

	// without the probe's lock each of the concurrent probes would read (2 statements
	// each)
	@Test
	void concurrentProbesWaitForTheOneReading() throws Exception {
		StatementCountingDataSource counting = new StatementCountingDataSource(db.dataSource());
		PgqueHealthIndicator indicator = new PgqueHealthIndicator(
				new PgqueHealthProbe(counting, Duration.ofSeconds(5), Duration.ofHours(1), 1000),
				rules(Duration.ofHours(1), null), List::of);
		CountDownLatch start = new CountDownLatch(1);
		List<Thread> probes = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			Thread probe = new Thread(() -> {
				try {
					start.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
			});
			probe.start();
			probes.add(probe);
		}
		start.countDown();
		for (Thread probe : probes) {
			probe.join();
		}
		assertThat(counting.statements()).isEqualTo(2);
	}

	@Test
	void healthProbeAgainstAStalledDatabaseReturnsWithinItsStatementTimeout() throws Exception {
		db.jdbc().queryForObject("SELECT pgque.create_queue('locked')", Integer.class);
		try (Connection locker = db.dataSource().getConnection()) {
			locker.setAutoCommit(false);
			// the probe's queue statement waits on this lock until it is cancelled
			locker.createStatement().execute("LOCK TABLE pgque.queue IN ACCESS EXCLUSIVE MODE");
			PgqueHealthIndicator indicator = new PgqueHealthIndicator(
					new PgqueHealthProbe(db.dataSource(), Duration.ofSeconds(1), Duration.ZERO, 1000),
					rules(Duration.ofHours(1), null), List::of);
			long start = System.nanoTime();
			Health health = indicator.health();
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			System.out.println("PgQue health probe against a locked queue table returned " + health.getStatus()
					+ " after " + took.toMillis() + " ms (statement timeout 1 s)");
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(took).isLessThan(Duration.ofSeconds(3));
			assertThat(health.getDetails().get("error")).asString().contains("did not answer within 1 s");
			locker.rollback();
		}
	}

	@Test
	void consumerLagAboveTheWarningIsAWarningNotDown() {
		db.jdbc().queryForObject("SELECT pgque.create_queue('behind')", Integer.class);
		db.jdbc().queryForObject("SELECT pgque.subscribe('behind', 'reporting')", Integer.class);
		ageTicks("behind", "30 seconds");
		Health health = indicator(db,
				new PgqueHealthRules(Duration.ofHours(1), true, null, Duration.ofSeconds(10), true))
			.health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat((List<?>) health.getDetails().get("warnings")).singleElement()
			.asString()
			.contains("consumer 'behind/reporting' lags");
	}

	private void deadLetters(String queue, int count) {
		db.jdbc().update("""
				INSERT INTO pgque.dead_letter (dl_queue_id, dl_consumer_id, dl_reason, ev_id, ev_time, ev_type, ev_data)
				SELECT q.queue_id, c.co_id, 'test', g, now(), 't', 'x'
				FROM pgque.queue q, pgque.consumer c, generate_series(1, ?) g
				WHERE q.queue_name = ? AND c.co_name = (SELECT min(co_name) FROM pgque.consumer)""", count, queue);
	}

	// no cache: each health() reads again
	private static PgqueHealthIndicator indicator(PgqueTestDatabase database, PgqueHealthRules rules) {
		return new PgqueHealthIndicator(
				new PgqueHealthProbe(database.dataSource(), Duration.ofSeconds(5), Duration.ZERO, 1000), rules,
				List::of);
	}

	private static PgqueHealthRules rules(Duration tickerGrace, @Nullable Duration maxConsumerLag) {
		return new PgqueHealthRules(tickerGrace, true, maxConsumerLag, null, true);
	}

	private void ageTicks(String queue, String age) {
		db.jdbc()
			.update("UPDATE pgque.tick SET tick_time = tick_time - ?::interval "
					+ "WHERE tick_queue = (SELECT queue_id FROM pgque.queue WHERE queue_name = ?)", age, queue);
	}

}
