package io.pgque.spring.engine.api;

import java.util.List;

import io.pgque.spring.engine.api.ApiSql.Message;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Names and payloads full of quotes, semicolons and SQL fragments are data: stored and
 * returned verbatim, never executed.
 */
class VerbatimIntegrationTests {

	private static final String QUEUE = "it's \"q\"; DROP TABLE pgque.queue; --";

	private static final String CONSUMER = "c'\"; SELECT pg_sleep(5); --";

	private static final String TYPE = "t'); DELETE FROM pgque.tick; --";

	private static final List<String> PAYLOADS = List.of("'); DROP SCHEMA pgque CASCADE; --",
			"$$; SELECT 1; $$ $x$ %s %I %L \\ \\\\ \\n", "\"quoted\" ; 'single' ; `back`", "Robert'); DROP TABLE x;--",
			"unicode ✓ \u00e9 \t tab");

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApiSql api = new ApiSql(db.jdbc());

	@Test
	void hostileNamesAndPayloadsTravelVerbatim() {
		this.api.createQueue(QUEUE);
		assertThat(this.api.subscribe(QUEUE, CONSUMER)).isEqualTo(1);
		for (String payload : PAYLOADS) {
			this.api.send(QUEUE, TYPE, payload);
		}
		db.jdbc()
			.queryForObject("SELECT pgque.send_batch(?, ?, ?::text[])", Object.class, QUEUE, TYPE,
					db.jdbc().execute((java.sql.Connection c) -> c.createArrayOf("text", PAYLOADS.toArray())));
		db.jdbc()
			.queryForObject("SELECT pgque.send(?, ?, jsonb_build_object(?, ?))", Long.class, QUEUE, TYPE, "k'\";",
					PAYLOADS.get(0));
		this.api.tick(QUEUE);

		List<Message> messages = this.api.receive(QUEUE, CONSUMER);
		assertThat(messages).hasSize(2 * PAYLOADS.size() + 1);
		assertThat(messages.subList(0, PAYLOADS.size())).extracting(Message::payload)
			.containsExactlyElementsOf(PAYLOADS);
		assertThat(messages.subList(PAYLOADS.size(), 2 * PAYLOADS.size())).extracting(Message::payload)
			.containsExactlyElementsOf(PAYLOADS);
		assertThat(messages).extracting(Message::type).containsOnly(TYPE);
		assertThat(messages.get(messages.size() - 1).payload())
			.isEqualTo("{\"k'\\\";\": \"'); DROP SCHEMA pgque CASCADE; --\"}");

		// Through the dead-letter queue and back, still verbatim.
		assertThat(this.api.setConfig(QUEUE, "max_retries", "0")).isEqualTo(1);
		Message first = messages.get(0);
		assertThat(this.api.nack(first.batchId(), first.msgId(), "0 seconds", PAYLOADS.get(1))).isEqualTo(1);
		assertThat(this.api.ack(first.batchId())).isEqualTo(1);
		assertThat(db.jdbc().queryForObject("SELECT dl_reason FROM pgque.dlq_inspect(?)", String.class, QUEUE))
			.isEqualTo(PAYLOADS.get(1));
		assertThat(db.jdbc().queryForObject("SELECT ev_data FROM pgque.dlq_inspect(?)", String.class, QUEUE))
			.isEqualTo(PAYLOADS.get(0));
		db.jdbc().queryForObject("SELECT (pgque.dlq_replay_all(?)).replayed", Long.class, QUEUE);
		this.api.tick(QUEUE);
		List<Message> replayed = this.api.receive(QUEUE, CONSUMER);
		assertThat(replayed).extracting(Message::payload).containsExactly(PAYLOADS.get(0));
		assertThat(replayed).extracting(Message::type).containsExactly(TYPE);
		this.api.ack(replayed.get(0).batchId());

		// Nothing was executed along the way.
		assertThat(
				db.jdbc().queryForObject("SELECT count(*) FROM pgque.queue WHERE queue_name = ?", Integer.class, QUEUE))
			.isEqualTo(1);
		assertThat(db.jdbc().queryForObject("SELECT count(*) > 2 FROM pgque.tick", Boolean.class)).isTrue();
		assertThat(db.jdbc()
			.queryForObject("SELECT consumer_name FROM (SELECT c.co_name AS consumer_name FROM pgque.consumer c) x",
					String.class))
			.isEqualTo(CONSUMER);
		assertThat(db.jdbc().queryForObject("SELECT pgque.unsubscribe(?, ?)", Integer.class, QUEUE, CONSUMER))
			.isEqualTo(1);
		assertThat(this.api.engine().dropQueue(QUEUE, false)).isEqualTo(1);
	}

}
