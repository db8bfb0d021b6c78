package io.pgque.spring.engine;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The ticker (contract §3.5, §4 invariants 33-37, §5 per-queue ticker lock).
 */
@Timeout(60)
class EngineTickerIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final EngineSql sql = new EngineSql(db.jdbc());

	private final JdbcTemplate jdbc = db.jdbc();

	@Test
	void aBusyQueueTicksAtMaxCountEvents() {
		this.sql.createQueue("t1");
		config("t1", "queue_ticker_max_count = 5, queue_ticker_max_lag = '1 hour'");
		// a new queue has only one tick, so the first pass ticks even without events
		assertThat(ticker("t1")).isNotNull();
		assertThat(ticker("t1")).isNull();
		// The sequence's stored last_value counts: a fresh sequence already says 1, the
		// same as after the first event, so the first event of a queue is not counted.
		this.sql.insertMany("t1", "x", 5);
		assertThat(ticker("t1")).isNull();
		this.sql.insert("t1", "t", "sixth");
		assertThat(ticker("t1")).isNotNull();
		assertThat(ticker("t1")).isNull();
	}

	@Test
	void aQueueWithOldEventsTicksAtMaxLag() {
		this.sql.createQueue("t2");
		config("t2", "queue_ticker_max_lag = '1 microsecond'");
		ticker("t2");
		// two, since a fresh sequence already counts the first (see above)
		this.sql.insertMany("t2", "x", 2);
		assertThat(ticker("t2")).isNotNull();
	}

	@Test
	void anIdleQueueTicksEverLessOftenUpToIdlePeriod() {
		this.sql.createQueue("t3");
		config("t3", "queue_ticker_max_lag = '1 second', queue_ticker_idle_period = '1 hour'");
		long second = ticker("t3");
		long first = second - 1;
		// newest tick 10 s old, the one before 30 s: gap 20 s, age below 2 * gap
		ageTicks("t3", first, 30, second, 10);
		assertThat(ticker("t3")).isNull();
		// gap 1 s: age 10 s is above 2 * gap
		ageTicks("t3", first, 11, second, 10);
		assertThat(ticker("t3")).isNotNull();
		// after idle_period the queue ticks whatever the gap
		config("t3", "queue_ticker_idle_period = '5 seconds'");
		long third = second + 1;
		ageTicks("t3", second, 1000, third, 10);
		assertThat(ticker("t3")).isNotNull();
		// but never before max_lag / 2
		assertThat(ticker("t3")).isNull();
	}

	@Test
	void forceNextTickReturnsTheNewestTickAndTheNextTickerPassTicks() {
		this.sql.createQueue("t4");
		long created = this.jdbc.queryForObject("SELECT max(tick_id) FROM pgque.tick t JOIN pgque.queue q"
				+ " ON q.queue_id = t.tick_queue WHERE q.queue_name = 't4'", Long.class);
		ticker("t4");
		assertThat(ticker("t4")).isNull();
		assertThat(this.jdbc.queryForObject("SELECT pgque.force_next_tick('t4')", Long.class)).isEqualTo(created + 1);
		assertThat(this.jdbc.queryForObject("SELECT pgque.force_tick('t4')", Long.class)).isEqualTo(created + 1);
		assertThat(ticker("t4")).isEqualTo(created + 2);
	}

	@Test
	void tickerForAllQueuesSkipsPausedAndExternalOnesWhileTheSingleQueueFormsRaise() {
		this.sql.createQueue("t5_paused");
		this.sql.createQueue("t5_external");
		this.sql.createQueue("t5_normal");
		config("t5_paused", "queue_ticker_paused = true");
		config("t5_external", "queue_external_ticker = true");
		this.jdbc.queryForObject("SELECT pgque.force_next_tick('t5_normal')", Long.class);
		assertThat(this.jdbc.queryForObject("SELECT pgque.ticker()", Long.class)).isPositive();
		for (String call : List.of("ticker", "force_tick", "force_next_tick")) {
			assertThatExceptionOfType(Exception.class)
				.isThrownBy(() -> this.jdbc.queryForObject("SELECT pgque." + call + "('t5_paused')", Long.class))
				.withMessageContaining("paused");
			assertThatExceptionOfType(Exception.class)
				.isThrownBy(() -> this.jdbc.queryForObject("SELECT pgque." + call + "('t5_external')", Long.class))
				.withMessageContaining("external");
			assertThatExceptionOfType(Exception.class)
				.isThrownBy(() -> this.jdbc.queryForObject("SELECT pgque." + call + "('t5_missing')", Long.class))
				.withMessageMatching("(?s).*(no such queue|not found).*");
		}
	}

	@Test
	void theExternalTickerAcceptsOnlyIncreasingTicksWithNonDecreasingEventSeq() {
		this.sql.createQueue("t6");
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> external("t6", 100, 100))
			.withMessageContaining("external");
		config("t6", "queue_external_ticker = true");
		assertThat(external("t6", 100, 500)).isEqualTo(100);
		assertThat(external("t6", 101, 500)).isEqualTo(101);
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> external("t6", 101, 600))
			.withMessageContaining("tick_id");
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> external("t6", 102, 499))
			.withMessageContaining("event_seq");
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> external("t6_missing", 1, 1))
			.withMessageContaining("queue not found");
		config("t6", "queue_ticker_paused = true");
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> external("t6", 200, 600))
			.withMessageContaining("paused");
		// both sequences moved forward, so a later own ticker continues above them
		assertThat(this.jdbc.queryForObject(
				"SELECT pgque.seq_getval(queue_tick_seq) FROM pgque.queue WHERE queue_name = 't6'", Long.class))
			.isEqualTo(101);
		assertThat(this.jdbc.queryForObject(
				"SELECT pgque.seq_getval(queue_event_seq) FROM pgque.queue WHERE queue_name = 't6'", Long.class))
			.isEqualTo(500);
	}

	@Test
	void eachTickNotifiesTheQueuesChannelWithTheTickIdAtCommit() throws Exception {
		this.sql.createQueue("t7");
		try (Connection listener = db.newConnection();
				Connection ticker = db.newConnection();
				Statement listen = listener.createStatement();
				Statement tick = ticker.createStatement()) {
			listen.execute("LISTEN pgque_t7");
			ticker.setAutoCommit(false);
			tick.execute("SELECT pgque.force_next_tick('t7')");
			long id;
			try (var rs = tick.executeQuery("SELECT pgque.ticker('t7')")) {
				rs.next();
				id = rs.getLong(1);
			}
			PGNotification[] before = listener.unwrap(PGConnection.class).getNotifications(200);
			assertThat(before).isNullOrEmpty();
			ticker.commit();
			List<PGNotification> received = new ArrayList<>();
			long deadline = System.currentTimeMillis() + 5000;
			while (received.isEmpty() && System.currentTimeMillis() < deadline) {
				PGNotification[] batch = listener.unwrap(PGConnection.class).getNotifications(500);
				if (batch != null) {
					received.addAll(List.of(batch));
				}
			}
			assertThat(received).singleElement().satisfies((n) -> {
				assertThat(n.getName()).isEqualTo("pgque_t7");
				assertThat(n.getParameter()).isEqualTo(Long.toString(id));
			});
		}
		String source = this.jdbc.queryForObject(
				"SELECT string_agg(prosrc, ' ') FROM pg_proc WHERE proname = 'ticker' AND pronamespace = 'pgque'::regnamespace",
				String.class);
		assertThat(source).contains("pg_notify").contains("pgque_");
	}

	@Test
	void aSecondTickerOnABusyQueueSkipsItWithoutWaiting() throws Exception {
		this.sql.createQueue("t8");
		try (Connection first = db.newConnection(); Connection second = db.newConnection()) {
			first.setAutoCommit(false);
			second.setAutoCommit(false);
			JdbcTemplate tx1 = new JdbcTemplate(new SingleConnectionDataSource(first, true));
			JdbcTemplate tx2 = new JdbcTemplate(new SingleConnectionDataSource(second, true));
			this.jdbc.queryForObject("SELECT pgque.force_next_tick('t8')", Long.class);
			Long tick1 = tx1.queryForObject("SELECT pgque.ticker('t8')", Long.class);
			assertThat(tick1).isNotNull();
			// the first still holds the queue's lock: the second skips the queue at once
			CompletableFuture<Long> tick2 = CompletableFuture
				.supplyAsync(() -> tx2.queryForObject("SELECT pgque.ticker('t8')", Long.class));
			assertThat(tick2.get(10, TimeUnit.SECONDS)).isNull();
			second.commit();
			first.commit();
		}
	}

	private Long ticker(String queue) {
		return this.jdbc.queryForObject("SELECT pgque.ticker(?)", Long.class, queue);
	}

	private Long external(String queue, long tickId, long eventSeq) {
		return this.jdbc.queryForObject("SELECT pgque.ticker(?, ?, now(), ?)", Long.class, queue, tickId, eventSeq);
	}

	private void config(String queue, String assignments) {
		this.jdbc.update("UPDATE pgque.queue SET " + assignments + " WHERE queue_name = ?", queue);
	}

	private void ageTicks(String queue, long older, int olderSecondsAgo, long newer, int newerSecondsAgo) {
		String update = "UPDATE pgque.tick SET tick_time = now() - make_interval(secs => ?) WHERE tick_id = ?"
				+ " AND tick_queue = (SELECT queue_id FROM pgque.queue WHERE queue_name = ?)";
		this.jdbc.update(update, olderSecondsAgo, older, queue);
		this.jdbc.update(update, newerSecondsAgo, newer, queue);
	}

}
