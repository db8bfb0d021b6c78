package io.pgque.spring.engine;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Per-event and per-batch retry and the retry queue (contract §4, invariants 20-23 and
 * 28-30, through event_retry, batch_retry and maint_retry_events).
 */
class EngineRetryIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final EngineSql sql = new EngineSql(db.jdbc());

	private final JdbcTemplate jdbc = db.jdbc();

	@Test
	void eventRetryWritesOneOwnedRowWithTheNextRetryCount() {
		queue("r1");
		long id = this.sql.insert("r1", "t", "x");
		this.sql.tick("r1");
		Long batch = this.sql.nextBatch("r1", "c");
		assertThat(this.jdbc.queryForObject("SELECT pgque.event_retry(?, ?, 60)", Integer.class, batch, id)).isOne();
		Map<String, Object> row = this.jdbc.queryForMap("SELECT r.*, s.sub_id,"
				+ " r.ev_retry_after - now() BETWEEN interval '50 seconds' AND interval '61 seconds' AS in_a_minute"
				+ " FROM pgque.retry_queue r JOIN pgque.subscription s ON s.sub_id = r.ev_owner WHERE r.ev_id = ?", id);
		assertThat(row.get("ev_owner")).isEqualTo(row.get("sub_id"));
		assertThat(row).containsEntry("ev_retry", 1).containsEntry("ev_data", "x").containsEntry("in_a_minute", true);
		assertThat(row.get("ev_txid")).isNull();
		// not finished by the retry
		assertThat(this.sql.nextBatch("r1", "c")).isEqualTo(batch);
	}

	@Test
	void aRetriedEventComesBackAfterMoveAndTickWithSameIdAndTimeToItsOwnerOnly() {
		queue("r2");
		drainOtherTestsRetries();
		this.sql.subscribe("r2", "other");
		long id = this.sql.insert("r2", "t", "again");
		String table = this.jdbc.queryForObject("SELECT queue_data_pfx FROM pgque.queue WHERE queue_name = 'r2'",
				String.class);
		Object time = this.jdbc.queryForObject("SELECT ev_time FROM " + table + " WHERE ev_id = ?", Object.class, id);
		this.sql.tick("r2");
		assertThat(this.sql.consumeOnce("r2", "other")).hasSize(1);
		Long batch = this.sql.nextBatch("r2", "c");
		this.jdbc.queryForObject("SELECT pgque.event_retry(?, ?, 0)", Integer.class, batch, id);
		this.sql.finishBatch(batch);

		// not moved yet: a tick alone brings nothing
		assertThat(this.sql.tickAndDrain("r2", "c")).isEmpty();
		assertThat(this.jdbc.queryForObject("SELECT pgque.maint_retry_events()", Integer.class)).isOne();
		assertThat(this.sql.nextBatch("r2", "c")).isNull();
		List<EngineSql.Event> back = this.sql.tickAndDrain("r2", "c");
		assertThat(back).containsExactly(new EngineSql.Event(id, "t", "again", 1));
		assertThat(this.jdbc.queryForObject("SELECT ev_time FROM " + table + " WHERE ev_id = ? AND ev_retry = 1",
				Object.class, id))
			.isEqualTo(time);
		assertThat(this.sql.tickAndDrain("r2", "other")).isEmpty();
	}

	@Test
	void aRetryMovedAndTickedInOneTransactionArrivesOnlyAfterALaterTick() throws Exception {
		queue("r3");
		long id = this.sql.insert("r3", "t", "x");
		this.sql.tick("r3");
		Long batch = this.sql.nextBatch("r3", "c");
		this.jdbc.queryForObject("SELECT pgque.event_retry(?, ?, 0)", Integer.class, batch, id);
		this.sql.finishBatch(batch);
		try (Connection connection = db.newConnection(); Statement statement = connection.createStatement()) {
			connection.setAutoCommit(false);
			statement.execute("SELECT pgque.maint_retry_events()");
			statement.execute("SELECT pgque.force_next_tick('r3')");
			statement.execute("SELECT pgque.ticker('r3')");
			connection.commit();
		}
		assertThat(this.sql.consumeOnce("r3", "c")).isEmpty();
		assertThat(this.sql.tickAndDrain("r3", "c")).extracting(EngineSql.Event::id).containsExactly(id);
	}

	@Test
	void retryingOneEventThenFinishingBringsBackOnlyThatEvent() {
		queue("r4");
		List<Long> ids = this.sql.insertMany("r4", "x", 3);
		this.sql.tick("r4");
		Long batch = this.sql.nextBatch("r4", "c");
		this.jdbc.queryForObject("SELECT pgque.event_retry(?, ?, 0)", Integer.class, batch, ids.get(1));
		this.sql.finishBatch(batch);
		this.jdbc.queryForObject("SELECT pgque.maint_retry_events()", Integer.class);
		assertThat(this.sql.tickAndDrain("r4", "c")).extracting(EngineSql.Event::id).containsExactly(ids.get(1));
	}

	@Test
	void retryingTwiceQueuesOnce() {
		queue("r5");
		List<Long> ids = this.sql.insertMany("r5", "x", 3);
		this.sql.tick("r5");
		Long batch = this.sql.nextBatch("r5", "c");
		assertThat(this.jdbc.queryForObject("SELECT pgque.event_retry(?, ?, now())", Integer.class, batch, ids.get(0)))
			.isOne();
		assertThat(this.jdbc.queryForObject("SELECT pgque.event_retry(?, ?, 30)", Integer.class, batch, ids.get(0)))
			.isZero();
		assertThat(this.jdbc.queryForObject("SELECT pgque.batch_retry(?, 30)", Integer.class, batch)).isEqualTo(2);
		assertThat(this.jdbc.queryForObject("SELECT pgque.batch_retry(?, 30)", Integer.class, batch)).isZero();
		assertThat(retryRows("r5")).isEqualTo(3);
	}

	@Test
	void maintRetryEventsMovesOnlyDueRowsTenAtATime() {
		queue("r6");
		drainOtherTestsRetries();
		List<Long> ids = this.sql.insertMany("r6", "x", 27);
		this.sql.tick("r6");
		Long batch = this.sql.nextBatch("r6", "c");
		for (int i = 0; i < 25; i++) {
			this.jdbc.queryForObject("SELECT pgque.event_retry(?, ?, 0)", Integer.class, batch, ids.get(i));
		}
		this.jdbc.queryForObject("SELECT pgque.event_retry(?, ?, 3600)", Integer.class, batch, ids.get(25));
		this.jdbc.queryForObject("SELECT pgque.event_retry(?, ?, 3600)", Integer.class, batch, ids.get(26));
		this.sql.finishBatch(batch);
		List<Integer> moved = List.of(maintRetry(), maintRetry(), maintRetry(), maintRetry());
		assertThat(moved).containsExactly(10, 10, 5, 0);
		assertThat(retryRows("r6")).isEqualTo(2);
		assertThat(this.sql.tickAndDrain("r6", "c")).extracting(EngineSql.Event::id)
			.containsExactlyElementsOf(ids.subList(0, 25));
	}

	@Test
	void unregisteringDeletesTheSubscriptionsRetryRows() {
		queue("r7");
		this.sql.subscribe("r7", "stays");
		long id = this.sql.insert("r7", "t", "x");
		this.sql.tick("r7");
		Long mine = this.sql.nextBatch("r7", "c");
		Long theirs = this.sql.nextBatch("r7", "stays");
		this.jdbc.queryForObject("SELECT pgque.event_retry(?, ?, 60)", Integer.class, mine, id);
		this.jdbc.queryForObject("SELECT pgque.event_retry(?, ?, 60)", Integer.class, theirs, id);
		assertThat(this.sql.unsubscribe("r7", "c")).isOne();
		assertThat(retryRows("r7")).isOne();
	}

	@Test
	void badRetryRequestsFailClearlyAndWriteNothing() {
		queue("r8");
		long id = this.sql.insert("r8", "t", "x");
		this.sql.tick("r8");
		Long batch = this.sql.nextBatch("r8", "c");
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> this.jdbc.queryForObject("SELECT pgque.event_retry(?, ?, -5)", Integer.class, batch, id))
			.withMessageContaining("retry delay");
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> this.jdbc.queryForObject("SELECT pgque.batch_retry(?, -1)", Integer.class, batch))
			.withMessageContaining("retry delay");
		assertThatExceptionOfType(Exception.class).isThrownBy(
				() -> this.jdbc.queryForObject("SELECT pgque.event_retry(?, ?, 5)", Integer.class, batch, id + 1000))
			.withMessageContaining("not found in batch");
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> this.jdbc.queryForObject("SELECT pgque.event_retry(987654321, ?, 5)", Integer.class, id))
			.withMessageContaining("batch not found");
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> this.jdbc.queryForObject("SELECT pgque.batch_retry(987654321, 5)", Integer.class))
			.withMessageContaining("batch not found");
		// the body shared with batch_retry reads a NULL event id as "the whole batch"
		assertThatExceptionOfType(Exception.class).isThrownBy(
				() -> this.jdbc.queryForObject("SELECT pgque.event_retry(?, NULL::bigint, 5)", Integer.class, batch))
			.withMessageContaining("event id must not be null");
		assertThat(retryRows("r8")).isZero();
	}

	@Test
	void eventRetryRawQueuesARowAsGivenForARegisteredConsumer() {
		queue("r9");
		Long id = this.jdbc.queryForObject("SELECT pgque.event_retry_raw('r9', 'c', now(), NULL, now(), 3, 'typ',"
				+ " 'raw', NULL, NULL, NULL, 'e4')", Long.class);
		assertThat(id).isPositive();
		this.jdbc.queryForObject("SELECT pgque.maint_retry_events()", Integer.class);
		assertThat(this.sql.tickAndDrain("r9", "c")).containsExactly(new EngineSql.Event(id, "typ", "raw", 3));
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> this.jdbc.queryForObject("SELECT pgque.event_retry_raw('r9', 'nobody', now(), 1, now(),"
					+ " 0, 't', 'd', NULL, NULL, NULL, NULL)", Long.class))
			.withMessageContaining("consumer not registered");
	}

	// maint_retry_events serves every queue; earlier tests may have left due rows.
	private void drainOtherTestsRetries() {
		while (maintRetry() > 0) {
			// keep moving
		}
	}

	private int maintRetry() {
		return this.jdbc.queryForObject("SELECT pgque.maint_retry_events()", Integer.class);
	}

	private int retryRows(String queue) {
		return this.jdbc.queryForObject("SELECT count(*) FROM pgque.retry_queue r JOIN pgque.queue q"
				+ " ON q.queue_id = r.ev_queue WHERE q.queue_name = ?", Integer.class, queue);
	}

	private void queue(String queue) {
		this.sql.createQueue(queue);
		this.sql.subscribe(queue, "c");
	}

}
