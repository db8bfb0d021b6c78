package io.pgque.spring.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.pgque.spring.convert.PgqueJsonPayloadConverter;
import io.pgque.spring.convert.PgqueTypeMapper;
import io.pgque.spring.test.PgqueTestDatabase;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A send observer that hands a trace context: every event of a send and a sendBatch (one
 * type or several, JSON or text) carries it in extra4, payloads stored as the untraced
 * path stores them; the observer hears the ids or the failure.
 */
class PgqueTemplateSendObserverIntegrationTests {

	private static final String TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final PgqueTemplate template = new PgqueTemplate(db.dataSource(),
			new PgqueJsonPayloadConverter(JsonMapper.builder().build(), PgqueTypeMapper.simpleNames()));

	private final List<String> heard = new ArrayList<>();

	@BeforeEach
	void observe() {
		db.jdbc()
			.queryForList("SELECT queue_name FROM pgque.queue", String.class)
			.forEach((queue) -> this.template.dropQueue(queue, true));
		this.template.setSendObserver((queue, type, count) -> new PgqueSendObserver.Send() {

			@Override
			public @Nullable String traceContext() {
				return TRACE;
			}

			@Override
			public void sent(List<Long> eventIds) {
				PgqueTemplateSendObserverIntegrationTests.this.heard
					.add(queue + " " + type + " " + count + " sent " + eventIds.size());
			}

			@Override
			public void failed(Throwable failure) {
				PgqueTemplateSendObserverIntegrationTests.this.heard.add(queue + " " + type + " " + count + " failed");
			}

		});
	}

	@Test
	void everyEventOfEverySendCarriesTheTraceContextInExtra4() {
		this.template.createQueue("traced");
		this.template.subscribe("traced", "reader");
		long single = this.template.send("traced", new Order("one", 1));
		List<Long> oneType = this.template.sendBatch("traced", "text", List.of("a", "b"));
		List<Long> mixed = this.template.sendBatch("traced", List.of(new Order("two", 2), "plain"));
		this.template.forceTick("traced");
		List<PgqueMessage> messages = this.template.receive("traced", "reader", 100).orElseThrow().messages();

		assertThat(messages).extracting(PgqueMessage::id)
			.containsExactly(single, oneType.get(0), oneType.get(1), mixed.get(0), mixed.get(1));
		assertThat(messages).allSatisfy((message) -> assertThat(message.extra4()).isEqualTo(TRACE));
		assertThat(messages).extracting(PgqueMessage::type)
			.containsExactly("Order", "text", "text", "Order", "default");
		// JSON stored as its canonical text, like the untraced send
		assertThat(messages.get(0).payload()).isEqualTo("{\"name\": \"one\", \"quantity\": 1}");
		assertThat(messages.get(2).payload()).isEqualTo("b");
		assertThat(this.heard).containsExactly("traced Order 1 sent 1", "traced text 2 sent 2",
				"traced mixed 2 sent 2");
	}

	@Test
	void idempotentAndDelayedSendsCarryTheTraceContextInExtra4() throws InterruptedException {
		this.template.createQueue("tracedextras");
		this.template.subscribe("tracedextras", "reader");
		PgqueIdempotentSend first = this.template.sendIdempotent("tracedextras", "k1", Duration.ofHours(1),
				new Order("idem", 1));
		PgqueIdempotentSend again = this.template.sendIdempotent("tracedextras", "k1", Duration.ofHours(1),
				new Order("idem", 1));
		PgqueIdempotentSend text = this.template.sendIdempotent("tracedextras", "k2", Duration.ofHours(1), "plain");
		PgqueDelayedSend now = this.template.sendAfter("tracedextras", Duration.ZERO, "now");
		PgqueDelayedSend later = this.template.sendAfter("tracedextras", Duration.ofMillis(200), new Order("later", 2));
		PgqueDelayedSend at = this.template.sendAt("tracedextras", Instant.now().plusMillis(200), "at");
		assertThat(again.duplicate()).isTrue();
		assertThat(again.eventId()).isEqualTo(first.eventId());
		assertThat(now.scheduled()).isFalse();
		assertThat(later.scheduled()).isTrue();
		assertThat(at.scheduled()).isTrue();
		Thread.sleep(300);
		db.jdbc().queryForObject("SELECT pgque.maint_deliver_delayed()", Integer.class);
		this.template.forceTick("tracedextras");
		List<PgqueMessage> messages = this.template.receive("tracedextras", "reader", 100).orElseThrow().messages();

		assertThat(messages).extracting(PgqueMessage::payload)
			.containsExactly("{\"name\": \"idem\", \"quantity\": 1}", "plain", "now",
					"{\"name\": \"later\", \"quantity\": 2}", "at");
		assertThat(messages).allSatisfy((message) -> assertThat(message.extra4()).isEqualTo(TRACE));
		// the engine's own extras are kept: the idempotency key in extra2
		assertThat(messages.get(0).extra2()).isEqualTo("k1");
	}

	@Test
	void anEngineWithoutTheTraceStoringFunctionsStillSends() {
		this.template.createQueue("upstreamlike");
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
		transaction.executeWithoutResult((status) -> {
			// as on an upstream PgQue install; rolled back with the transaction
			db.jdbc()
				.execute("DROP FUNCTION pgque.send_batch(text, text, text[], text),"
						+ " pgque.send_batch(text, text, jsonb[], text),"
						+ " pgque.send_idem(text, text, text, text, interval, text, text),"
						+ " pgque.send_idem(text, text, jsonb, text, interval, text, text),"
						+ " pgque.send_at(text, text, text, timestamptz, text),"
						+ " pgque.send_at(text, text, jsonb, timestamptz, text)");
			PgqueTemplate upstreamLike = new PgqueTemplate(db.dataSource(),
					new PgqueJsonPayloadConverter(JsonMapper.builder().build(), PgqueTypeMapper.simpleNames()));
			upstreamLike.setSendObserver((queue, type, count) -> new PgqueSendObserver.Send() {

				@Override
				public @Nullable String traceContext() {
					return TRACE;
				}

			});
			List<Long> batch = upstreamLike.sendBatch("upstreamlike", "text", List.of("a", "b"));
			long idem = upstreamLike.sendIdempotent("upstreamlike", "k", Duration.ofHours(1), "c").eventId();
			long now = upstreamLike.sendAfter("upstreamlike", Duration.ZERO, "d").id();
			// the batch still stores the trace (row by row); the others are sent without
			// it
			assertThat(
					db.jdbc()
						.queryForList("SELECT ev_data || '=' || coalesce(ev_extra4, '-') FROM pgque.event_template"
								+ " WHERE ev_id = ANY(?) AND ev_txid = pg_catalog.pg_current_xact_id() ORDER BY ev_id",
								String.class, (Object) new Long[] { batch.get(0), batch.get(1), idem, now }))
				.containsExactly("a=" + TRACE, "b=" + TRACE, "c=-", "d=-");
			status.setRollbackOnly();
		});
		assertThat(db.jdbc()
			.queryForObject("SELECT pg_catalog.to_regprocedure('pgque.send_batch(text,text,text[],text)') IS NOT NULL",
					Boolean.class))
			.isTrue();
	}

	@Test
	void aFailedSendIsReportedToTheObserver() {
		assertThatException().isThrownBy(() -> this.template.send("missing", "x"));
		assertThat(this.heard).containsExactly("missing default 1 failed");
	}

	record Order(String name, int quantity) {

	}

}
