package io.pgque.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;

import javax.sql.DataSource;

/**
 * The engine's {@code send} and {@code send_batch} against a plain INSERT of the same
 * payload into an ordinary table with one index (its primary key), and against the send
 * path as it was before issue 19 (installed beside the engine in schema
 * {@code pgque_before}, writing into the same queue), each call its own transaction on
 * one connection, as an outbox write is.
 */
final class EngineSendBenchmark {

	private static final String QUEUE = "bench_engine";

	private static final String SEND = "SELECT pgque.send(?, ?, ?::jsonb)";

	private static final String SEND_BEFORE = "SELECT pgque_before.send(?, ?, ?::jsonb)";

	/**
	 * How PgqueTemplate passes a JSON batch: a text[], each element made canonical jsonb
	 * text row by row, in order (a jsonb[] parameter costs far more per event at 1,000,
	 * see docs/benchmarks.md). The INSERT baseline parses each element the same way.
	 */
	static final String CANONICAL_JSON_ARRAY = "ARRAY(SELECT d.doc::jsonb::text FROM unnest(?::text[])"
			+ " WITH ORDINALITY AS d(doc, n) ORDER BY d.n)";

	private static final String SEND_BATCH = "SELECT pgque.send_batch(?, ?, " + CANONICAL_JSON_ARRAY + ")";

	private static final String SEND_BATCH_BEFORE = "SELECT pgque_before.send_batch(?, ?, " + CANONICAL_JSON_ARRAY
			+ ")";

	private static final String INSERT = "INSERT INTO bench_outbox (type, payload) VALUES (?, ?::jsonb)";

	private static final String INSERT_BATCH = "INSERT INTO bench_outbox (type, payload)"
			+ " SELECT ?, p::jsonb FROM unnest(?::text[]) AS p";

	private final DataSource dataSource;

	private final String payload;

	EngineSendBenchmark(DataSource dataSource, String payload) {
		this.dataSource = dataSource;
		this.payload = payload;
	}

	void run(int rounds) throws Exception {
		try (Connection connection = this.dataSource.getConnection()) {
			connection.setAutoCommit(true);
			try (Statement statement = connection.createStatement()) {
				statement.execute("SELECT pgque.create_queue('" + QUEUE + "')");
				statement.execute("CREATE TABLE IF NOT EXISTS bench_outbox (id bigserial PRIMARY KEY,"
						+ " created_at timestamptz NOT NULL DEFAULT now(), type text, payload jsonb)");
				statement.execute("DROP SCHEMA IF EXISTS pgque_before CASCADE");
				statement.execute("CREATE SCHEMA pgque_before");
				statement.execute(beforeSendPath());
			}
			System.out.printf("%nEngine send, one connection, one transaction per call, %d-byte JSON payload%n",
					this.payload.length());
			compare(connection, rounds, 1, 4_000, SEND, "send", INSERT, "INSERT");
			compare(connection, rounds, 1, 4_000, SEND, "send", SEND_BEFORE, "send before issue 19");
			compare(connection, rounds, 100, 100, SEND_BATCH, "send_batch(100)", INSERT_BATCH,
					"INSERT ... SELECT unnest (100)");
			compare(connection, rounds, 100, 100, SEND_BATCH, "send_batch(100)", SEND_BATCH_BEFORE,
					"send_batch(100) before issue 19");
			compare(connection, rounds, 1000, 12, SEND_BATCH, "send_batch(1000)", INSERT_BATCH,
					"INSERT ... SELECT unnest (1000)");
		}
	}

	private static String beforeSendPath() throws IOException {
		try (InputStream in = EngineSendBenchmark.class.getResourceAsStream("before-send-path.sql")) {
			if (in == null) {
				throw new IllegalStateException("before-send-path.sql is missing");
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	// Wall-clock rates, and the server's own CPU time per event (the backend's
	// /proc/self/schedstat, in ns): the second does not count time spent waiting for a
	// core, so it holds up on a loaded machine, where the first swings between rounds.
	// With the same client and round trip on both sides, the CPU ratio is a lower bound
	// of the rate ratio on a quiet machine.
	private void compare(Connection connection, int rounds, int batchSize, int calls, String subjectSql,
			String subjectName, String baselineSql, String baselineName) throws Exception {
		Rounds result = new Rounds();
		Rounds cpu = new Rounds();
		int callsPerSlice = calls / Rounds.SLICES;
		long events = (long) batchSize * callsPerSlice * Rounds.SLICES;
		for (int round = -1; round < rounds; round++) {
			Rounds.Alternated measured = Rounds.alternate(() -> calls(connection, batchSize, callsPerSlice, subjectSql),
					() -> calls(connection, batchSize, callsPerSlice, baselineSql), () -> serverCpuNanos(connection));
			if (round >= 0) {
				result.addTimes(events, measured.subjectNanos(), measured.baselineNanos());
				if (measured.subjectMeter() > 0) {
					// as rates (events per CPU second): the ratio reads like the other
					cpu.addTimes(events, measured.subjectMeter(), measured.baselineMeter());
				}
			}
		}
		System.out.println(result.line(subjectName, baselineName, "ev/s"));
		if (!cpu.isEmpty()) {
			System.out.println(cpu.line("  server CPU", "", "ev/CPU-s"));
		}
	}

	// 0 where the server is not local Linux or the login may not read server files
	private static long serverCpuNanos(Connection connection) {
		try (Statement statement = connection.createStatement();
				ResultSet rs = statement
					.executeQuery("SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint")) {
			rs.next();
			return rs.getLong(1);
		}
		catch (SQLException ex) {
			return 0;
		}
	}

	private void calls(Connection connection, int batchSize, int calls, String sql) throws SQLException {
		boolean engine = sql.startsWith("SELECT");
		try (PreparedStatement statement = connection.prepareStatement(sql)) {
			int at = 1;
			if (engine) {
				statement.setString(at++, QUEUE);
			}
			statement.setString(at++, "order-placed");
			if (batchSize == 1) {
				statement.setString(at, this.payload);
			}
			else {
				Array array = connection.createArrayOf("text",
						Collections.nCopies(batchSize, this.payload).toArray(String[]::new));
				statement.setArray(at, array);
			}
			for (int i = 0; i < calls; i++) {
				if (engine) {
					try (ResultSet rs = statement.executeQuery()) {
						rs.next();
					}
				}
				else {
					statement.executeUpdate();
				}
			}
		}
	}

}
