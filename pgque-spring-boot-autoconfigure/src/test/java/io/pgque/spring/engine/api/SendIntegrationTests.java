package io.pgque.spring.engine.api;

import java.util.List;

import io.pgque.spring.engine.api.ApiSql.Message;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code send}, {@code send_batch} and {@code insert_event_bulk} (contract §3.1).
 */
class SendIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApiSql api = new ApiSql(db.jdbc());

	@BeforeAll
	static void createQueue() {
		new ApiSql(db.jdbc()).createQueue("orders");
	}

	@Test
	void textPayloadIsStoredByteForByteAndUntypedLiteralPicksTextOverload() {
		this.api.createQueue("texts");
		this.api.subscribe("texts", "text-reader");
		// An untyped literal: must resolve to send(text, text), keeping key order and
		// spaces.
		Long id = db.jdbc().queryForObject("SELECT pgque.send('texts', '{\"b\":1,  \"a\":2}')", Long.class);
		Long typed = db.jdbc().queryForObject("SELECT pgque.send('texts', 'created', '{\"z\":0,\"y\":1}')", Long.class);
		this.api.tick("texts");
		List<Message> messages = this.api.receive("texts", "text-reader");
		assertThat(messages).extracting(Message::msgId).containsExactly(id, typed);
		assertThat(messages).extracting(Message::type).containsExactly("default", "created");
		assertThat(messages).extracting(Message::payload).containsExactly("{\"b\":1,  \"a\":2}", "{\"z\":0,\"y\":1}");
		assertThat(messages).extracting(Message::retryCount).containsOnlyNulls();
		this.api.ack(messages.get(0).batchId());
	}

	@Test
	void jsonbPayloadIsStoredAsCanonicalText() {
		this.api.createQueue("jsons");
		this.api.subscribe("jsons", "json-reader");
		db.jdbc().queryForObject("SELECT pgque.send('jsons', '{\"b\":1,  \"a\":2}'::jsonb)", Long.class);
		db.jdbc().queryForObject("SELECT pgque.send('jsons', 'created', '{\"b\":[1,2]}'::jsonb)", Long.class);
		this.api.tick("jsons");
		List<Message> messages = this.api.receive("jsons", "json-reader");
		assertThat(messages).extracting(Message::payload).containsExactly("{\"a\": 2, \"b\": 1}", "{\"b\": [1, 2]}");
		assertThat(messages).extracting(Message::type).containsExactly("default", "created");
		this.api.ack(messages.get(0).batchId());
	}

	@Test
	void sendBatchReturnsIdsInArrayOrderAndKeepsNullElements() {
		this.api.createQueue("batches");
		this.api.subscribe("batches", "batch-reader");
		Long[] textIds = queryIds("SELECT pgque.send_batch('batches', ARRAY['one', NULL, 'three'])");
		Long[] typedIds = queryIds("SELECT pgque.send_batch('batches', 'typed', ARRAY['four'])");
		Long[] jsonIds = queryIds(
				"SELECT pgque.send_batch('batches', ARRAY['{\"b\":1,\"a\":2}'::jsonb, NULL, '[1]'::jsonb])");
		Long[] typedJsonIds = queryIds("SELECT pgque.send_batch('batches', 'j', ARRAY['{\"x\":1}'::jsonb])");
		assertThat(textIds).hasSize(3).isSorted();
		assertThat(jsonIds).hasSize(3).isSorted();
		this.api.tick("batches");
		List<Message> messages = this.api.receive("batches", "batch-reader");
		assertThat(messages).extracting(Message::msgId)
			.containsExactly(textIds[0], textIds[1], textIds[2], typedIds[0], jsonIds[0], jsonIds[1], jsonIds[2],
					typedJsonIds[0]);
		assertThat(messages).extracting(Message::payload)
			.containsExactly("one", null, "three", "four", "{\"a\": 2, \"b\": 1}", null, "[1]", "{\"x\": 1}");
		assertThat(messages).extracting(Message::type)
			.containsExactly("default", "default", "default", "typed", "default", "default", "default", "j");
		this.api.ack(messages.get(0).batchId());
	}

	@Test
	void sendBatchAllocatesIdsInArrayOrderForManyElements() {
		Long[] ids = queryIds(
				"SELECT pgque.send_batch('orders', ARRAY(SELECT 'p' || i FROM generate_series(1, 500) i))");
		assertThat(ids).hasSize(500).isSorted().doesNotHaveDuplicates();
		assertThat(ids[499] - ids[0]).isEqualTo(499);
		// The stored rows carry the same id-to-payload pairing as the array.
		List<String> payloads = db.jdbc()
			.queryForList("SELECT ev_data FROM pgque.event_template WHERE ev_id = ANY (?) ORDER BY ev_id", String.class,
					db.jdbc().execute((java.sql.Connection c) -> c.createArrayOf("bigint", ids)));
		assertThat(payloads).first().isEqualTo("p1");
		assertThat(payloads).last().isEqualTo("p500");
	}

	@Test
	void sendBatchWithEmptyArrayReturnsEmptyWithoutLookingUpTheQueue() {
		assertThat(queryIds("SELECT pgque.send_batch('no-such-queue', '{}'::text[])")).isEmpty();
		assertThat(queryIds("SELECT pgque.send_batch('no-such-queue', 't', '{}'::jsonb[])")).isEmpty();
		assertThat(queryIds("SELECT pgque.insert_event_bulk('orders', 't', '{}', NULL)")).isEmpty();
	}

	@Test
	void sendBatchWithNullArrayRaisesExactMessage() {
		for (String sql : List.of("SELECT pgque.send_batch('orders', NULL::text[])",
				"SELECT pgque.send_batch('orders', NULL::jsonb[])",
				"SELECT pgque.send_batch('orders', 't', NULL::text[])",
				"SELECT pgque.send_batch('orders', 't', NULL::jsonb[])")) {
			assertThat(errorMessage(sql)).isEqualTo("payloads must not be null");
		}
	}

	@Test
	void sendToMissingQueueRaisesQueueNotFound() {
		assertThat(errorMessage("SELECT pgque.send_batch('nope', ARRAY['x'])")).isEqualTo("queue not found: nope");
		assertThat(errorMessage("SELECT pgque.send('nope', 'x')")).contains("queue not found");
	}

	@Test
	void sendIntoQueueWithInsertsDisabledRaises() {
		this.api.createQueue("frozen");
		db.jdbc().update("UPDATE pgque.queue SET queue_disable_insert = true WHERE queue_name = 'frozen'");
		assertThat(errorMessage("SELECT pgque.send_batch('frozen', ARRAY['x'])"))
			.isEqualTo("Insert into queue disallowed");
		assertThat(errorMessage("SELECT pgque.send('frozen', 'x')")).isEqualTo("Insert into queue disallowed");
	}

	@Test
	void bulkFunctionsAreSetBased() {
		List<String> bulk = sources("insert_event_bulk");
		assertThat(bulk).hasSize(1);
		assertThat(bulk.get(0).toLowerCase()).doesNotContain("foreach").doesNotContain("pgque.insert_event(");
		List<String> sendBatch = sources("send_batch");
		assertThat(sendBatch).hasSize(6)
			.allSatisfy((source) -> assertThat(source.toLowerCase()).doesNotContain("foreach")
				.contains("pgque.insert_event_bulk("));
	}

	private List<String> sources(String name) {
		return db.jdbc()
			.queryForList("SELECT prosrc FROM pg_proc WHERE pronamespace = 'pgque'::regnamespace AND proname = ?",
					String.class, name);
	}

	private Long[] queryIds(String sql) {
		return db.jdbc().query(sql, (rs) -> {
			rs.next();
			return (Long[]) rs.getArray(1).getArray();
		});
	}

	private String errorMessage(String sql) {
		return SqlErrors.raised(() -> db.jdbc().queryForObject(sql, Object.class));
	}

}
