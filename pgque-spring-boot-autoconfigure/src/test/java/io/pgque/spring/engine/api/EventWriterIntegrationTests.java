package io.pgque.spring.engine.api;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.pgque.spring.engine.EngineSql;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated inserts behind send and send_batch ({@code insert_event_one} and
 * {@code insert_event_bulk}, written by {@code rebuild_event_writer}) and the set-based
 * {@code send_batch} with an ev_extra4 value: the writers follow queue creation and
 * removal, a queue they do not know is still written (dynamic SQL), a creation and a
 * removal at once take turns rebuilding them, and a traced batch stores its context on
 * every event.
 */
class EventWriterIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private static final List<String> WRITERS = List.of("insert_event_one", "insert_event_bulk");

	private final ApiSql api = new ApiSql(db.jdbc());

	@Test
	void theWriterFollowsCreateAndDropQueue() {
		this.api.createQueue("writer_a");
		String prefix = prefix("writer_a");
		for (String writer : WRITERS) {
			assertThat(writerSource(writer)).contains("INSERT INTO " + prefix + "_0 ", "INSERT INTO " + prefix + "_2 ");
		}
		db.jdbc().queryForObject("SELECT pgque.drop_queue('writer_a')", Integer.class);
		for (String writer : WRITERS) {
			assertThat(writerSource(writer)).doesNotContain(prefix + "_0");
		}
	}

	@Test
	void aQueueTheWriterDoesNotKnowIsWrittenWithDynamicSql() {
		this.api.createQueue("writer_b");
		this.api.subscribe("writer_b", "reader");
		// as if the queue had been created while the writers were rebuilt
		// elsewhere: the generated functions without their static inserts
		forgetQueues("insert_event_one(queue_name text, ev_type text, ev_data text)", "bigint");
		forgetQueues("insert_event_bulk(queue_name text, ev_type text, ev_data_list text[], ev_extra4 text)",
				"bigint[]");
		long dynamic = this.api.send("writer_b", "t", "dynamic");
		Long[] dynamicBatch = ids("SELECT pgque.send_batch('writer_b', 't', ARRAY['dynamic batch'])");
		db.jdbc().queryForList("SELECT pgque.rebuild_event_writer()");
		long written = this.api.send("writer_b", "t", "static");
		Long[] writtenBatch = ids("SELECT pgque.send_batch('writer_b', 't', ARRAY['static batch'])");
		this.api.tick("writer_b");
		List<ApiSql.Message> messages = this.api.receive("writer_b", "reader");
		assertThat(messages).extracting(ApiSql.Message::msgId)
			.containsExactly(dynamic, dynamicBatch[0], written, writtenBatch[0]);
		assertThat(messages).extracting(ApiSql.Message::payload)
			.containsExactly("dynamic", "dynamic batch", "static", "static batch");
		assertThat(db.jdbc().queryForObject("SELECT count(*) FROM " + prefix("writer_b") + "_0", Long.class))
			.isEqualTo(4);
	}

	private void forgetQueues(String signature, String returns) {
		String name = signature.substring(0, signature.indexOf('('));
		String generated = writerSource(name);
		String knowingNoQueue = generated.replaceFirst("(?s)END IF;\nIF v_queue_id .*\nRETURN pgque\\._insert_event",
				"END IF;\nRETURN pgque._insert_event");
		assertThat(knowingNoQueue).isNotEqualTo(generated).doesNotContain(prefix("writer_b"));
		db.jdbc()
			.execute("CREATE OR REPLACE FUNCTION pgque." + signature + " RETURNS " + returns
					+ " LANGUAGE plpgsql AS $body$" + knowingNoQueue + "$body$");
	}

	// Creations of queues already take turns (CREATE TABLE ... INHERITS locks the
	// template); a removal does not wait for them. Without the config row lock in
	// rebuild_event_writer the creation would replace the writer function after the
	// removal had replaced it in a transaction still open, and fail with "tuple
	// concurrently updated" (checked by hand against a copy without the lock).
	@Test
	void aQueueCreatedWhileAnotherIsDroppedWaitsAndTheWriterKnowsOnlyTheLiveOne() throws Exception {
		this.api.createQueue("writer_c1");
		String dropped = prefix("writer_c1");
		try (Connection first = db.newConnection(); Connection second = db.newConnection()) {
			first.setAutoCommit(false);
			second.setAutoCommit(false);
			try (Statement statement = first.createStatement()) {
				statement.execute("SELECT pgque.drop_queue('writer_c1')");
			}
			int secondPid = EngineSql.backendPid(second);
			CompletableFuture<Void> created = CompletableFuture.runAsync(() -> {
				try (Statement statement = second.createStatement()) {
					statement.execute("SELECT pgque.create_queue('writer_c2')");
					second.commit();
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
			this.api.engine().awaitLockWait(secondPid, Duration.ofSeconds(10));
			first.commit();
			created.get(10, TimeUnit.SECONDS);
		}
		for (String writer : WRITERS) {
			assertThat(writerSource(writer)).contains("INSERT INTO " + prefix("writer_c2") + "_0 ")
				.doesNotContain("INSERT INTO " + dropped + "_0 ");
		}
	}

	@Test
	void aBatchWithExtra4StoresItOnEveryEvent() {
		this.api.createQueue("writer_d");
		this.api.subscribe("writer_d", "reader");
		Long[] text = ids("SELECT pgque.send_batch('writer_d', 't', ARRAY['a', 'b'], 'ctx-1')");
		Long[] json = ids("SELECT pgque.send_batch('writer_d', 'j', ARRAY['{\"b\":1,  \"a\":2}']::jsonb[], 'ctx-2')");
		Long[] plain = ids("SELECT pgque.send_batch('writer_d', 't', ARRAY['c'])");
		assertThat(ids("SELECT pgque.send_batch('no-such-queue', 't', '{}'::text[], 'ctx')")).isEmpty();
		this.api.tick("writer_d");
		List<Map<String, Object>> rows = db.jdbc()
			.queryForList("SELECT msg_id, type, payload, extra4 FROM pgque.receive('writer_d', 'reader', 100)");
		assertThat(rows).extracting((row) -> row.get("msg_id")).containsExactly(text[0], text[1], json[0], plain[0]);
		assertThat(text[1]).isGreaterThan(text[0]);
		assertThat(rows).extracting((row) -> row.get("extra4")).containsExactly("ctx-1", "ctx-1", "ctx-2", null);
		assertThat(rows).extracting((row) -> row.get("payload")).containsExactly("a", "b", "{\"a\": 2, \"b\": 1}", "c");
		assertThat(rows).extracting((row) -> row.get("type")).containsExactly("t", "t", "j", "t");
		assertThat(SqlErrors.raised(() -> db.jdbc()
			.queryForObject("SELECT pgque.send_batch('writer_d', 't', NULL::jsonb[], 'ctx')", Object.class)))
			.isEqualTo("payloads must not be null");
	}

	private String prefix(String queue) {
		return db.jdbc()
			.queryForObject("SELECT queue_data_pfx FROM pgque.queue WHERE queue_name = ?", String.class, queue);
	}

	private String writerSource(String writer) {
		return db.jdbc()
			.queryForObject("SELECT prosrc FROM pg_proc WHERE oid = ?::regproc", String.class, "pgque." + writer);
	}

	private Long[] ids(String sql) {
		return db.jdbc().query(sql, (rs) -> {
			rs.next();
			return (Long[]) rs.getArray(1).getArray();
		});
	}

}
