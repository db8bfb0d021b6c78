package io.pgque.spring.core;

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
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link PgqueTemplate#sendKeyed} and {@link PgqueTemplate#sendKeyedBatch} through a real
 * engine: the key lands in {@code extra1}, a partition slot receives exactly the keys
 * that hash to it, and every send is observed (with its trace context stored).
 */
class PgqueTemplateKeyedSendIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final PgqueTemplate template = new PgqueTemplate(db.dataSource(),
			new PgqueJsonPayloadConverter(JsonMapper.builder().build(), PgqueTypeMapper.simpleNames()));

	private final List<String> heard = new ArrayList<>();

	private @Nullable String trace;

	@BeforeEach
	void observe() {
		this.template.setSendObserver((queue, type, count) -> new PgqueSendObserver.Send() {

			@Override
			public @Nullable String traceContext() {
				return PgqueTemplateKeyedSendIntegrationTests.this.trace;
			}

			@Override
			public void sent(List<Long> eventIds) {
				PgqueTemplateKeyedSendIntegrationTests.this.heard.add(queue + " " + type + " " + eventIds.size());
			}

			@Override
			public void failed(Throwable failure) {
				PgqueTemplateKeyedSendIntegrationTests.this.heard.add(queue + " " + type + " failed");
			}

		});
	}

	@Test
	void sendKeyedStoresTheKeyInExtra1() {
		this.template.createQueue("tpl-keyed");
		this.template.subscribe("tpl-keyed", "reader");
		long order = this.template.sendKeyed("tpl-keyed", "tenant-a", new Order("o-1"));
		long typed = this.template.sendKeyed("tpl-keyed", "tenant-b", "note", "plain text");
		this.trace = "00-trace-01";
		long traced = this.template.sendKeyed("tpl-keyed", "tenant-c", new Order("o-2"));
		this.template.forceTick("tpl-keyed");
		List<PgqueMessage> messages = this.template.receive("tpl-keyed", "reader", 100).orElseThrow().messages();
		assertThat(messages).extracting(PgqueMessage::id).containsExactly(order, typed, traced);
		assertThat(messages).extracting(PgqueMessage::extra1).containsExactly("tenant-a", "tenant-b", "tenant-c");
		assertThat(messages).extracting(PgqueMessage::type).containsExactly("Order", "note", "Order");
		assertThat(messages.get(2).extra4()).isEqualTo("00-trace-01");
		assertThat(this.heard).containsExactly("tpl-keyed Order 1", "tpl-keyed note 1", "tpl-keyed Order 1");
	}

	@Test
	void sendKeyedBatchSendsInOrderAndEachSlotGetsItsKeys() {
		this.template.createQueue("tpl-keyed-batch");
		db.jdbc().queryForObject("SELECT pgque.subscribe_slots('tpl-keyed-batch', 'c', 2)", Integer.class);
		List<Order> orders = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			orders.add(new Order("tenant-" + (char) ('a' + i % 3) + "/" + i));
		}
		List<Long> ids = this.template.sendKeyedBatch("tpl-keyed-batch", orders,
				(order) -> order.id().substring(0, order.id().indexOf('/')));
		assertThat(ids).hasSize(20).isSorted();
		this.template.forceTick("tpl-keyed-batch");
		// pinned vectors: tenant-a -> slot 0; tenant-b, tenant-c -> slot 1
		for (int slot = 0; slot < 2; slot++) {
			db.jdbc().queryForObject("SELECT pgque.claim_slot('tpl-keyed-batch', 'c', ?, 'w')", Long.class, slot);
			List<Map<String, Object>> rows = db.jdbc()
				.queryForList("SELECT msg_id, extra1 FROM pgque.receive_partitioned('tpl-keyed-batch', 'c', ?, 2, 'w')",
						slot);
			int expected = slot;
			assertThat(rows).isNotEmpty()
				.allSatisfy((row) -> assertThat("tenant-a".equals(row.get("extra1")) ? 0 : 1).isEqualTo(expected));
			assertThat(rows).extracting((row) -> (Long) row.get("msg_id")).isSorted();
		}
		assertThat(this.heard).containsExactly("tpl-keyed-batch Order 20");
	}

	@Test
	void aMissingKeyFailsBeforeAnySql() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.template.sendKeyed("tpl-keyed", null, "x"))
			.withMessageContaining("partition key");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.template.sendKeyedBatch("tpl-keyed", List.of("a", "b"),
					(payload) -> "b".equals(payload) ? null : payload))
			.withMessageContaining("index 1");
		assertThat(this.heard).isEmpty();
	}

	record Order(String id) {

	}

}
