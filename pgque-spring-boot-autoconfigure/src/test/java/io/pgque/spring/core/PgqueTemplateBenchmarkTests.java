package io.pgque.spring.core;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.stream.IntStream;

import io.pgque.spring.convert.PgqueJsonPayloadConverter;
import io.pgque.spring.convert.PgqueTypeMapper;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the template costs over raw SQL for a large batch: {@code sendBatch} of 10,000
 * records against one hand-written {@code pgque.send_batch} call with pre-serialized
 * JSON, and against 1,000 single sends. Prints figures; run with
 * {@code -Dgroups=benchmark -DexcludedGroups=none -Dtest=PgqueTemplateBenchmarkTests}.
 */
@Tag("benchmark")
class PgqueTemplateBenchmarkTests {

	private static final int EVENTS = 10_000;

	private static final int ROUNDS = 5;

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final JsonMapper jsonMapper = JsonMapper.builder().build();

	private final PgqueTemplate template = new PgqueTemplate(db.dataSource(),
			new PgqueJsonPayloadConverter(this.jsonMapper, PgqueTypeMapper.simpleNames()));

	@Test
	void sendBatchOfTenThousandAgainstRawSql() throws Exception {
		this.template.createQueue("bench");
		List<Order> orders = IntStream.range(0, EVENTS)
			.mapToObj((i) -> new Order("order-" + i, "customer-" + (i % 97), i * 1.5, List.of("a", "b")))
			.toList();
		String[] json = orders.stream().map(this.jsonMapper::writeValueAsString).toArray(String[]::new);

		// Warm up both paths (JIT, plan cache, table pages)
		this.template.sendBatch("bench", "Order", orders);
		rawSendBatch(json);

		long templateBest = Long.MAX_VALUE;
		long rawBest = Long.MAX_VALUE;
		for (int round = 0; round < ROUNDS; round++) {
			long started = System.nanoTime();
			List<Long> ids = this.template.sendBatch("bench", "Order", orders);
			templateBest = Math.min(templateBest, System.nanoTime() - started);
			assertThat(ids).hasSize(EVENTS);

			started = System.nanoTime();
			int sent = rawSendBatch(json);
			rawBest = Math.min(rawBest, System.nanoTime() - started);
			assertThat(sent).isEqualTo(EVENTS);
		}

		int singles = 1_000;
		long started = System.nanoTime();
		for (int i = 0; i < singles; i++) {
			this.template.send("bench", orders.get(i));
		}
		long singleTotal = System.nanoTime() - started;

		System.out.printf(
				"PgqueTemplate.sendBatch(%,d records, JSON via Jackson): best of %d = %.1f ms (%,.0f events/s)%n",
				EVENTS, ROUNDS, templateBest / 1e6, EVENTS / (templateBest / 1e9));
		System.out.printf(
				"raw SQL pgque.send_batch(%,d pre-serialized JSON):      best of %d = %.1f ms (%,.0f events/s)%n",
				EVENTS, ROUNDS, rawBest / 1e6, EVENTS / (rawBest / 1e9));
		System.out.printf("PgqueTemplate.send x %,d (one round trip each, autocommit): %.1f ms (%.2f ms/event)%n",
				singles, singleTotal / 1e6, singleTotal / 1e6 / singles);
	}

	private int rawSendBatch(String[] json) throws Exception {
		try (Connection connection = db.dataSource().getConnection();
				PreparedStatement statement = connection
					.prepareStatement("SELECT pgque.send_batch(?, ?, ?::text[]::jsonb[])")) {
			statement.setString(1, "bench");
			statement.setString(2, "Order");
			statement.setArray(3, connection.createArrayOf("text", json));
			try (ResultSet rs = statement.executeQuery()) {
				rs.next();
				Array ids = rs.getArray(1);
				return ((Object[]) ids.getArray()).length;
			}
		}
	}

	record Order(String id, String customer, double amount, List<String> tags) {
	}

}
