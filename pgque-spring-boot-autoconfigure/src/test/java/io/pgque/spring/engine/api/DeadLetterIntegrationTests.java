package io.pgque.spring.engine.api;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.pgque.spring.engine.api.ApiSql.Message;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dead-letter queue: inspect, replay, replay all, purge (contract §3.7, §4 items
 * 31-32).
 */
class DeadLetterIntegrationTests {

	private static final AtomicInteger counter = new AtomicInteger();

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApiSql api = new ApiSql(db.jdbc());

	// A queue whose first nack dead-letters, with two subscribers.
	private String queue() {
		String queue = "dlq" + counter.incrementAndGet();
		this.api.createQueue(queue);
		this.api.subscribe(queue, "worker");
		this.api.subscribe(queue, "audit");
		this.api.setConfig(queue, "max_retries", "0");
		return queue;
	}

	// Sends the payloads, delivers them to worker and dead-letters them all.
	private List<Long> deadLetter(String queue, String... payloads) {
		for (String payload : payloads) {
			this.api.send(queue, "kind", payload);
		}
		this.api.tick(queue);
		List<Message> batch = this.api.receive(queue, "worker");
		for (Message message : batch) {
			this.api.nack(message.batchId(), message.msgId(), "0 seconds", "boom " + message.payload());
		}
		this.api.ack(batch.get(0).batchId());
		drain(queue, "audit");
		return db.jdbc().queryForList("SELECT dl_id FROM pgque.dlq_inspect(?, 1000) ORDER BY dl_id", Long.class, queue);
	}

	@Test
	void inspectReturnsRowsNewestFirstUpToLimit() {
		String queue = queue();
		deadLetter(queue, "one", "two", "three");
		// Later events died later.
		db.jdbc().update("UPDATE pgque.dead_letter SET dl_time = dl_time + (ev_id * interval '1 second')");
		List<String> payloads = db.jdbc()
			.queryForList("SELECT ev_data FROM pgque.dlq_inspect(?, 2)", String.class, queue);
		assertThat(payloads).containsExactly("three", "two");
		assertThat(db.jdbc().queryForList("SELECT * FROM pgque.dlq_inspect('no such queue')")).isEmpty();
		Map<String, Object> row = db.jdbc().queryForMap("SELECT * FROM pgque.dlq_inspect(?, 1) WHERE true", queue);
		assertThat(row.keySet()).containsExactly("dl_id", "dl_queue_id", "dl_consumer_id", "dl_time", "dl_reason",
				"ev_id", "ev_time", "ev_txid", "ev_retry", "ev_type", "ev_data", "ev_extra1", "ev_extra2", "ev_extra3",
				"ev_extra4");
		assertThat(row).containsEntry("dl_reason", "boom three").containsEntry("ev_type", "kind");
	}

	@Test
	void replayPutsTheEventBackForEverySubscriberAsNewEvent() {
		String queue = queue();
		long dlId = deadLetter(queue, "again").get(0);
		Long originalId = db.jdbc()
			.queryForObject("SELECT ev_id FROM pgque.dead_letter WHERE dl_id = ?", Long.class, dlId);
		Long newId = db.jdbc().queryForObject("SELECT pgque.dlq_replay(?)", Long.class, dlId);
		assertThat(newId).isGreaterThan(originalId);
		assertThat(this.api.deadLetterCount(queue)).isZero();
		assertThat(SqlErrors.raised(() -> db.jdbc().queryForObject("SELECT pgque.dlq_replay(?)", Long.class, dlId)))
			.startsWith("dead letter entry not found");

		this.api.tick(queue);
		for (String consumer : List.of("worker", "audit")) {
			List<Message> messages = this.api.receive(queue, consumer);
			assertThat(messages).hasSize(1);
			assertThat(messages.get(0).msgId()).isEqualTo(newId);
			assertThat(messages.get(0).payload()).isEqualTo("again");
			assertThat(messages.get(0).type()).isEqualTo("kind");
			assertThat(messages.get(0).retryCount()).isNull();
			this.api.ack(messages.get(0).batchId());
		}
	}

	@Test
	void replayAllReplaysEachAndReportsFailures() {
		String queue = queue();
		deadLetter(queue, "a", "b");
		Map<String, Object> result = db.jdbc().queryForMap("SELECT * FROM pgque.dlq_replay_all(?)", queue);
		assertThat(result).containsEntry("replayed", 2L).containsEntry("failed", 0L).containsEntry("first_error", null);
		assertThat(this.api.deadLetterCount(queue)).isZero();
		this.api.tick(queue);
		assertThat(drain(queue, "worker")).extracting(Message::payload).containsExactly("a", "b");

		assertThat(db.jdbc().queryForMap("SELECT * FROM pgque.dlq_replay_all(?)", queue)).containsEntry("replayed", 0L)
			.containsEntry("failed", 0L)
			.containsEntry("first_error", null);
		assertThat(db.jdbc().queryForMap("SELECT * FROM pgque.dlq_replay_all('no such queue')"))
			.containsEntry("replayed", 0L);

		List<Long> ids = deadLetter(queue, "c");
		db.jdbc().update("UPDATE pgque.queue SET queue_disable_insert = true WHERE queue_name = ?", queue);
		result = db.jdbc().queryForMap("SELECT * FROM pgque.dlq_replay_all(?)", queue);
		assertThat(result).containsEntry("replayed", 0L).containsEntry("failed", 1L);
		assertThat((String) result.get("first_error"))
			.isEqualTo("dl_id=" + ids.get(0) + ": Insert into queue disallowed");
		assertThat(this.api.deadLetterCount(queue)).isEqualTo(1);
	}

	@Test
	void purgeRemovesOnlyOldRows() {
		String queue = queue();
		List<Long> ids = deadLetter(queue, "old", "new");
		db.jdbc()
			.update("UPDATE pgque.dead_letter SET dl_time = now() - interval '40 days' WHERE dl_id = ?", ids.get(0));
		assertThat(db.jdbc().queryForObject("SELECT pgque.dlq_purge(?)", Integer.class, queue)).isEqualTo(1);
		assertThat(db.jdbc().queryForObject("SELECT pgque.dlq_purge(?)", Integer.class, queue)).isZero();
		assertThat(db.jdbc().queryForList("SELECT ev_data FROM pgque.dlq_inspect(?)", String.class, queue))
			.containsExactly("new");
		assertThat(db.jdbc().queryForObject("SELECT pgque.dlq_purge(?, interval '1 day')", Integer.class, queue))
			.isZero();
		db.jdbc().update("UPDATE pgque.dead_letter SET dl_time = now() - interval '2 hours'");
		assertThat(db.jdbc().queryForObject("SELECT pgque.dlq_purge(?, interval '1 hour')", Integer.class, queue))
			.isEqualTo(1);
	}

	@Test
	void eventDeadIsIdempotentAndNeedsABatch() {
		String queue = queue();
		long id = this.api.send(queue, "x");
		this.api.tick(queue);
		long batch = this.api.receive(queue, "worker").get(0).batchId();
		String call = "SELECT pgque.event_dead(?, ?, 'r', now(), NULL, 3, 't', 'd')";
		assertThat(db.jdbc().queryForObject(call, Integer.class, batch, id)).isEqualTo(1);
		assertThat(db.jdbc().queryForObject(call, Integer.class, batch, id)).isEqualTo(1);
		assertThat(this.api.deadLetterCount(queue)).isEqualTo(1);
		assertThat(SqlErrors.raised(() -> db.jdbc().queryForObject(call, Integer.class, batch + 999, id)))
			.startsWith("batch not found");
	}

	@Test
	void concurrentNacksOfOneEventLeaveOneDeadLetter() throws Exception {
		String queue = queue();
		long id = this.api.send(queue, "twice");
		this.api.tick(queue);
		long batch = this.api.receive(queue, "worker").get(0).batchId();
		String nack = "SELECT pgque.nack(" + batch + ", ROW(" + id
				+ ", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::pgque.message)";
		try (Connection first = db.newConnection(); Connection second = db.newConnection()) {
			first.setAutoCommit(false);
			second.setAutoCommit(false);
			assertThat(single(first, nack)).isEqualTo(1);
			// The second waits on the unique index until the first commits, then absorbs
			// the conflict.
			CompletableFuture<Integer> secondNack = CompletableFuture.supplyAsync(() -> {
				try {
					int result = single(second, nack);
					second.commit();
					return result;
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});
			Thread.sleep(200);
			assertThat(secondNack).isNotDone();
			first.commit();
			assertThat(secondNack.get(10, TimeUnit.SECONDS)).isEqualTo(1);
		}
		assertThat(this.api.deadLetterCount(queue)).isEqualTo(1);
	}

	private static int single(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
			rs.next();
			return rs.getInt(1);
		}
	}

	@Test
	void droppingQueueRemovesItsDeadLetters() {
		String queue = queue();
		deadLetter(queue, "gone");
		long queueId = this.api.engine().queueId(queue);
		this.api.engine().dropQueue(queue, true);
		assertThat(db.jdbc()
			.queryForObject("SELECT count(*) FROM pgque.dead_letter WHERE dl_queue_id = ?", Integer.class, queueId))
			.isZero();
	}

	private List<Message> drain(String queue, String consumer) {
		List<Message> all = new java.util.ArrayList<>();
		for (List<Message> round = this.api.receive(queue, consumer); !round.isEmpty(); round = this.api.receive(queue,
				consumer)) {
			all.addAll(round);
			this.api.ack(round.get(0).batchId());
		}
		return all;
	}

}
