package io.pgque.spring.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.pgque.spring.convert.PgqueJsonPayloadConverter;
import io.pgque.spring.convert.PgqueTypeMapper;
import io.pgque.spring.test.PgqueTestDatabase;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link PgqueTemplate#sendIdempotent}, {@link PgqueTemplate#sendAt} and
 * {@link PgqueTemplate#sendAfter} through a real engine, observed like every send.
 */
class PgqueTemplateSendExtrasIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final PgqueTemplate template = new PgqueTemplate(db.dataSource(),
			new PgqueJsonPayloadConverter(JsonMapper.builder().build(), PgqueTypeMapper.simpleNames()));

	private final List<String> heard = new ArrayList<>();

	@BeforeEach
	void observe() {
		this.template.setSendObserver((queue, type, count) -> new PgqueSendObserver.Send() {

			@Override
			public @Nullable String traceContext() {
				return null;
			}

			@Override
			public void sent(List<Long> eventIds) {
				PgqueTemplateSendExtrasIntegrationTests.this.heard.add(queue + " " + type + " sent");
			}

			@Override
			public void failed(Throwable failure) {
				PgqueTemplateSendExtrasIntegrationTests.this.heard.add(queue + " " + type + " failed");
			}

		});
	}

	@Test
	void sendIdempotentReportsADuplicateAndSendsOnce() {
		this.template.createQueue("tpl-idem");
		this.template.subscribe("tpl-idem", "reader");
		PgqueIdempotentSend first = this.template.sendIdempotent("tpl-idem", "order-1/v1", Duration.ofHours(1),
				new Order("o-1"));
		PgqueIdempotentSend again = this.template.sendIdempotent("tpl-idem", "order-1/v1", Duration.ofHours(1),
				new Order("o-1"));
		assertThat(first.duplicate()).isFalse();
		assertThat(again).isEqualTo(new PgqueIdempotentSend(first.eventId(), true));
		this.template.forceTick("tpl-idem");
		Optional<PgqueBatch> batch = this.template.receive("tpl-idem", "reader", 100);
		assertThat(batch).isPresent();
		assertThat(batch.get().messages()).singleElement().satisfies((message) -> {
			assertThat(message.id()).isEqualTo(first.eventId());
			assertThat(message.extra2()).isEqualTo("order-1/v1");
			assertThat(this.template.convert(message, Order.class)).isEqualTo(new Order("o-1"));
		});
		assertThat(this.heard).containsExactly("tpl-idem Order sent", "tpl-idem Order sent");
	}

	@Test
	void sendIdempotentRefusesAMissingKeyOrTtlBeforeAnySql() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.template.sendIdempotent("tpl-idem", "k", Duration.ZERO, "x"))
			.withMessageContaining("ttl");
		assertThat(this.heard).isEmpty();
	}

	@Test
	void sendAfterWaitsAndSendAtInThePastSendsAtOnce() throws Exception {
		this.template.createQueue("tpl-delay");
		this.template.subscribe("tpl-delay", "reader");
		PgqueDelayedSend later = this.template.sendAfter("tpl-delay", Duration.ofMillis(300), "later");
		PgqueDelayedSend now = this.template.sendAt("tpl-delay", Instant.now().minusSeconds(1), "now");
		PgqueDelayedSend future = this.template.sendAt("tpl-delay", Instant.now().plusSeconds(3600), "future");
		assertThat(later.scheduled()).isTrue();
		assertThat(now.scheduled()).isFalse();
		assertThat(future.scheduled()).isTrue();
		assertThat(payloads()).containsExactly("now");
		Thread.sleep(350);
		db.jdbc().queryForObject("SELECT pgque.maint_deliver_delayed()", Integer.class);
		assertThat(payloads()).containsExactly("later");
		assertThat(this.heard).hasSize(3).allMatch((line) -> line.endsWith(" sent"));
	}

	private List<String> payloads() {
		this.template.forceTick("tpl-delay");
		Optional<PgqueBatch> batch = this.template.receive("tpl-delay", "reader", 100);
		if (batch.isEmpty()) {
			return List.of();
		}
		this.template.ack(batch.get().id());
		return batch.get().messages().stream().map(PgqueMessage::payload).toList();
	}

	record Order(String id) {

	}

}
