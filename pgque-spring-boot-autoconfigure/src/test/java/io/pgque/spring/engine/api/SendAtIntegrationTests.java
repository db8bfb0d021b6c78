package io.pgque.spring.engine.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code send_at} and the delivery of due events by {@code ticker(queue)} (extended
 * contract §E).
 */
class SendAtIntegrationTests {

	private static final long TICK_PERIOD_MS = 100;

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApiSql api = new ApiSql(db.jdbc());

	private final JdbcTemplate jdbc = db.jdbc();

	@Test
	void eventsDueInTwoSecondsArriveNotBeforeTheirTimeAndWithinOneTickAfterIt() throws Exception {
		this.api.createQueue("delayed");
		this.api.subscribe("delayed", "reader");
		// a tick as soon as there is one new event, so lateness is the ticker's alone
		this.api.setConfig("delayed", "ticker_max_count", "1");
		int events = 40;
		for (int i = 0; i < events; i++) {
			this.jdbc.queryForObject(
					"SELECT pgque.send_at('delayed', 't', ?::text, clock_timestamp()" + " + make_interval(secs => ?))",
					Long.class, Integer.toString(i), 2.0 + i * 0.037);
		}
		Map<String, OffsetDateTime> due = new ConcurrentHashMap<>();
		this.jdbc.query(
				"SELECT de_data, de_deliver_at FROM pgque.delayed_events d JOIN pgque.queue q"
						+ " ON q.queue_id = d.de_queue_id WHERE q.queue_name = 'delayed'",
				(org.springframework.jdbc.core.RowCallbackHandler) (rs) -> due.put(rs.getString(1),
						rs.getObject(2, OffsetDateTime.class)));
		assertThat(due).hasSize(events);

		List<long[]> lateness = new ArrayList<>();
		ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
		try (Connection tickConnection = db.newConnection(); Connection consumer = db.newConnection()) {
			ticker.scheduleAtFixedRate(() -> {
				try (Statement statement = tickConnection.createStatement()) {
					// what the embedded ticker and ticker_loop do each tick
					statement.execute("SELECT pgque.maint_deliver_delayed()");
					statement.execute("SELECT pgque.ticker()");
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			}, 0, TICK_PERIOD_MS, TimeUnit.MILLISECONDS);
			long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
			while (lateness.size() < events && System.nanoTime() < deadline) {
				lateness.addAll(receive(consumer, due));
				Thread.sleep(5);
			}
		}
		finally {
			ticker.shutdownNow();
		}
		long[] tickLate = lateness.stream().mapToLong((l) -> l[0]).sorted().toArray();
		long[] seenLate = lateness.stream().mapToLong((l) -> l[1]).sorted().toArray();
		System.out.printf(
				"DELAYED: %d events, tick period %d ms; lateness of the delivering tick (ms) min %d p50 %d"
						+ " p90 %d max %d; seen by a 5 ms poller (ms) min %d p50 %d p90 %d max %d%n",
				tickLate.length, TICK_PERIOD_MS, tickLate[0], pct(tickLate, 50), pct(tickLate, 90),
				tickLate[tickLate.length - 1], seenLate[0], pct(seenLate, 50), pct(seenLate, 90),
				seenLate[seenLate.length - 1]);
		assertThat(lateness).hasSize(events);
		assertThat(lateness).allSatisfy((l) -> assertThat(l[2]).as("event time minus due (ms)").isNotNegative());
		assertThat(seenLate[0]).as("earliest delivery relative to due (ms)").isNotNegative();
		// one tick period, plus a little scheduling jitter of the ticker thread
		assertThat(tickLate[tickLate.length - 1]).isLessThanOrEqualTo(TICK_PERIOD_MS + 50);
	}

	// per message: [batch tick time - due, receive time - due, event time - due] in ms
	private static List<long[]> receive(Connection connection, Map<String, OffsetDateTime> due) throws Exception {
		List<Object[]> rows = new ArrayList<>();
		try (Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT r.batch_id, r.payload, r.created_at, clock_timestamp()"
						+ " FROM pgque.receive('delayed', 'reader', 1000) r")) {
			while (rs.next()) {
				rows.add(new Object[] { rs.getLong(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class),
						rs.getObject(4, OffsetDateTime.class) });
			}
		}
		if (rows.isEmpty()) {
			return List.of();
		}
		long batch = (Long) rows.get(0)[0];
		OffsetDateTime tickTime;
		// the batch's closing tick: when its events became visible to consumers
		try (PreparedStatement statement = connection
			.prepareStatement("SELECT batch_end FROM pgque.get_batch_info(?)")) {
			statement.setLong(1, batch);
			try (ResultSet rs = statement.executeQuery()) {
				rs.next();
				tickTime = rs.getObject(1, OffsetDateTime.class);
			}
		}
		ApiSql.ack(connection, batch);
		List<long[]> lateness = new ArrayList<>();
		for (Object[] row : rows) {
			OffsetDateTime at = due.get((String) row[1]);
			lateness.add(new long[] { millis(at, tickTime), millis(at, (OffsetDateTime) row[3]),
					millis(at, (OffsetDateTime) row[2]) });
		}
		return lateness;
	}

	private static long millis(OffsetDateTime from, OffsetDateTime to) {
		return Duration.between(from, to).toMillis();
	}

	private static long pct(long[] sorted, int percent) {
		return sorted[Math.min(sorted.length - 1, sorted.length * percent / 100)];
	}

	@Test
	void aTickBeforeTheTimeDeliversNothingAndAPastTimeSendsAtOnce() {
		this.api.createQueue("delayed-early");
		this.api.subscribe("delayed-early", "reader");
		Long scheduleId = this.jdbc.queryForObject(
				"SELECT pgque.send_at('delayed-early', 't', '{\"a\":1}'::jsonb, now() + interval '1 hour')",
				Long.class);
		Long eventId = this.jdbc.queryForObject(
				"SELECT pgque.send_at('delayed-early', 't', 'now', now() - interval '1 second')", Long.class);
		this.api.tick("delayed-early");
		assertThat(this.api.receive("delayed-early", "reader")).extracting(ApiSql.Message::msgId)
			.containsExactly(eventId);
		assertThat(this.jdbc.queryForObject("SELECT de_data FROM pgque.delayed_events WHERE de_id = ?", String.class,
				scheduleId))
			.isEqualTo("{\"a\": 1}");
	}

	@Test
	void badCallsFailAtTheSender() {
		this.api.createQueue("delayed-bad");
		assertThat(SqlErrors.raised(() -> this.jdbc.queryForObject(
				"SELECT pgque.send_at('delayed-missing', 't', 'x', now() + interval '1 hour')", Long.class)))
			.isEqualTo("queue not found: delayed-missing");
		assertThat(SqlErrors
			.raised(() -> this.jdbc.queryForObject("SELECT pgque.send_at('delayed-bad', 't', 'x', NULL)", Long.class)))
			.isEqualTo("deliver_at must not be null");
	}

	@Test
	void aQueueRefusingInsertsKeepsItsDueRowsAndTicksOn() {
		this.api.createQueue("delayed-off");
		this.api.subscribe("delayed-off", "reader");
		this.jdbc.queryForObject("SELECT pgque.send_at('delayed-off', 't', 'x', clock_timestamp() + interval '10 ms')",
				Long.class);
		this.jdbc.execute("SELECT pg_sleep(0.05)");
		this.jdbc.update("UPDATE pgque.queue SET queue_disable_insert = true WHERE queue_name = 'delayed-off'");
		assertThat(this.jdbc.queryForObject("SELECT pgque.maint_deliver_delayed()", Integer.class)).isZero();
		this.api.tick("delayed-off");
		assertThat(this.api.receive("delayed-off", "reader")).isEmpty();
		this.jdbc.update("UPDATE pgque.queue SET queue_disable_insert = false WHERE queue_name = 'delayed-off'");
		assertThat(this.jdbc.queryForObject("SELECT pgque.maint_deliver_delayed()", Integer.class)).isEqualTo(1);
		this.api.tick("delayed-off");
		assertThat(this.api.receive("delayed-off", "reader")).extracting(ApiSql.Message::payload).containsExactly("x");
	}

	@Test
	void droppingTheQueueDropsItsSchedule() {
		this.api.createQueue("delayed-drop");
		this.jdbc.queryForObject("SELECT pgque.send_at('delayed-drop', 't', 'x', now() + interval '1 hour')",
				Long.class);
		Integer queueId = this.jdbc.queryForObject("SELECT queue_id FROM pgque.queue WHERE queue_name = 'delayed-drop'",
				Integer.class);
		this.api.engine().dropQueue("delayed-drop", true);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgque.delayed_events WHERE de_queue_id = ?",
				Integer.class, queueId))
			.isZero();
	}

	@Test
	void theWriterSchedules() throws Exception {
		this.api.createQueue("delayed-roles");
		try (Connection connection = db.newConnection()) {
			connection.createStatement().execute("SET ROLE pgque_writer");
			try (ResultSet rs = connection.createStatement()
				.executeQuery("SELECT pgque.send_at('delayed-roles', 't', 'p', now() + interval '1 hour')")) {
				assertThat(rs.next()).isTrue();
			}
			// the overload that keeps extra4 (the starter's trace context) with the
			// schedule
			try (ResultSet rs = connection.createStatement()
				.executeQuery("SELECT pgque.send_at('delayed-roles', 't', 'p', now() + interval '1 hour', 'x4')")) {
				assertThat(rs.next()).isTrue();
			}
			assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgque.delayed_events WHERE de_extra4 = 'x4'",
					Long.class))
				.isOne();
			SqlErrors.denied(() -> connection.createStatement().executeQuery("SELECT pgque.maint_deliver_delayed()"));
		}
	}

}
