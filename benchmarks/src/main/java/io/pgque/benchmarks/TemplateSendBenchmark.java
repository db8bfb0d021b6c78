package io.pgque.benchmarks;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import io.pgque.spring.core.PgqueTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code PgqueTemplate.send} and {@code sendBatch} against a hand-written JDBC loop doing
 * the same work: the same Jackson serialisation and the same SQL call, a pooled
 * connection per call, each call its own transaction.
 */
final class TemplateSendBenchmark {

	private static final String QUEUE = "bench_template";

	private static final String SEND = "SELECT pgque.send(?, ?, ?::jsonb)";

	private static final String SEND_BATCH = "SELECT pgque.send_batch(?, ?, " + EngineSendBenchmark.CANONICAL_JSON_ARRAY
			+ ")";

	private final PgqueTemplate template;

	private final DataSource dataSource;

	private final JsonMapper jsonMapper;

	private final String type;

	TemplateSendBenchmark(PgqueTemplate template, DataSource dataSource, JsonMapper jsonMapper) {
		this.template = template;
		this.dataSource = dataSource;
		this.jsonMapper = jsonMapper;
		this.type = template.getConverter().typeName(OrderPlaced.class);
	}

	void run(int rounds) throws Exception {
		this.template.createQueue(QUEUE);
		System.out.printf("%nPgqueTemplate against a hand-written JDBC loop (pooled connection per call)%n");
		Rounds single = new Rounds();
		Rounds batch = new Rounds();
		List<OrderPlaced> orders = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			orders.add(OrderPlaced.sample(i));
		}
		int sendsPerSlice = 1_000;
		int batchesPerSlice = 50;
		for (int round = -3; round < rounds; round++) {
			Rounds.Alternated sends = Rounds.alternate(() -> {
				for (int i = 0; i < sendsPerSlice; i++) {
					this.template.send(QUEUE, orders.get(i % 100));
				}
			}, () -> {
				for (int i = 0; i < sendsPerSlice; i++) {
					handSend(orders.get(i % 100));
				}
			}, () -> 0);
			Rounds.Alternated batches = Rounds.alternate(() -> {
				for (int i = 0; i < batchesPerSlice; i++) {
					this.template.sendBatch(QUEUE, orders);
				}
			}, () -> {
				for (int i = 0; i < batchesPerSlice; i++) {
					handSendBatch(orders);
				}
			}, () -> 0);
			if (round >= 0) {
				single.addTimes((long) sendsPerSlice * Rounds.SLICES, sends.subjectNanos(), sends.baselineNanos());
				batch.addTimes(batchesPerSlice * 100L * Rounds.SLICES, batches.subjectNanos(), batches.baselineNanos());
			}
		}
		System.out.println(single.line("PgqueTemplate.send", "JDBC loop: Jackson + send", "ev/s"));
		System.out.println(batch.line("PgqueTemplate.sendBatch(100)", "JDBC loop: Jackson + send_batch", "ev/s"));
	}

	private long handSend(OrderPlaced order) throws SQLException {
		String json = this.jsonMapper.writeValueAsString(order);
		try (Connection connection = this.dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement(SEND)) {
			statement.setString(1, QUEUE);
			statement.setString(2, this.type);
			statement.setString(3, json);
			try (ResultSet rs = statement.executeQuery()) {
				rs.next();
				return rs.getLong(1);
			}
		}
	}

	private List<Long> handSendBatch(List<OrderPlaced> orders) throws SQLException {
		String[] json = new String[orders.size()];
		for (int i = 0; i < json.length; i++) {
			json[i] = this.jsonMapper.writeValueAsString(orders.get(i));
		}
		try (Connection connection = this.dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement(SEND_BATCH)) {
			statement.setString(1, QUEUE);
			statement.setString(2, this.type);
			statement.setArray(3, connection.createArrayOf("text", json));
			try (ResultSet rs = statement.executeQuery()) {
				rs.next();
				Array array = rs.getArray(1);
				List<Long> ids = new ArrayList<>(json.length);
				for (Object id : (Object[]) array.getArray()) {
					ids.add((Long) id);
				}
				return ids;
			}
		}
	}

}
