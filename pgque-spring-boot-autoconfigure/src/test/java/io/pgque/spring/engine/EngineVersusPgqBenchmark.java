package io.pgque.spring.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.pgque.spring.test.PgqDrainLoop;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our engine next to upstream PgQ (Skytools' {@code pgq} extension, 3.5: PL/pgSQL with
 * the event insert in C) in one database of the same server, through the PgQ API both
 * share: the same statements, only the schema differs.
 * <ul>
 * <li>produce: 50,000 events with {@code insert_event} in one statement (a call per
 * event), and with our {@code send_batch} (one call for all; PgQ has no bulk
 * insert);</li>
 * <li>tick: 2,000 ticks of one event each ({@code insert_event}, then
 * {@code ticker});</li>
 * <li>consume: 200,000 preloaded events (400 batches of 500) drained by a
 * {@code next_batch} → {@code get_batch_events} (every column) → {@code finish_batch} →
 * commit loop on one connection.</li>
 * </ul>
 * The engines take turns for five rounds after a warm-up round; the median and best
 * rounds are printed.
 * <p>
 * Needs a server with the {@code pgq} extension available (Debian:
 * {@code apt-get install postgresql-15-pgq3}), named by {@code PGQUE_TEST_JDBC_URL}; run
 * with {@code -Dgroups=benchmark -DexcludedGroups=none -Dtest=EngineVersusPgqBenchmark}.
 */
@Tag("benchmark")
class EngineVersusPgqBenchmark {

	private static final List<String> ENGINES = List.of("pgque", "pgq");

	private static final int ROUNDS = 5;

	private static final int PRODUCED = 50_000;

	private static final int TICKS = 2_000;

	private static final int BATCHES = 400;

	private static final int BATCH_SIZE = 500;

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	@Test
	void compareWithUpstreamPgq() throws Exception {
		Boolean available = db.jdbc()
			.queryForObject("SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pgq')", Boolean.class);
		Assumptions.assumeTrue(Boolean.TRUE.equals(available),
				"the pgq extension is not available on this server (see the class comment)");
		db.jdbc().execute("CREATE EXTENSION IF NOT EXISTS pgq");
		System.out.println("server: " + db.jdbc().queryForObject("SELECT version()", String.class));
		System.out.println("pgq " + db.jdbc().queryForObject("SELECT pgq.version()", String.class) + ", pgque "
				+ db.jdbc().queryForObject("SELECT pgque.version()", String.class));
		for (String engine : ENGINES) {
			preload(engine);
		}
		db.jdbc().execute("VACUUM (ANALYZE)");
		Results produce = new Results("produce (events/s)");
		Results bulk = new Results("send_batch (events/s)");
		Results tick = new Results("tick (ticks/s)");
		Results consume = new Results("consume (events/s)");
		for (int round = 0; round <= ROUNDS; round++) {
			for (String engine : ENGINES) {
				boolean counted = round > 0;
				produce.add(engine, produce(engine, round, "insert_event"), counted);
				if (engine.equals("pgque")) {
					bulk.add(engine, produce(engine, round, "send_batch"), counted);
				}
				tick.add(engine, tick(engine, round), counted);
				consume.add(engine, consume(engine, "reader" + round), counted);
			}
		}
		produce.print();
		bulk.print();
		tick.print();
		consume.print();
	}

	private void preload(String engine) throws Exception {
		try (Connection con = db.newConnection(); Statement st = con.createStatement()) {
			st.execute("SELECT " + engine + ".create_queue('drain')");
			st.execute("SELECT " + engine + ".set_queue_config('drain', 'ticker_max_count', '1')");
			for (int round = 0; round <= ROUNDS; round++) {
				st.execute("SELECT " + engine + ".register_consumer('drain', 'reader" + round + "')");
			}
			for (int batch = 0; batch < BATCHES; batch++) {
				st.execute("SELECT " + engine + ".insert_event('drain', 'bench', '{\"n\":' || i || '}')"
						+ " FROM generate_series(1, " + BATCH_SIZE + ") i");
				st.execute("SELECT " + engine + ".ticker('drain')");
			}
		}
	}

	private double produce(String engine, int round, String function) throws Exception {
		String queue = function + round;
		String payload = "'{\"n\":' || i || '}'";
		String write = function.equals("send_batch")
				? "SELECT %s.send_batch('%s', 'bench', (SELECT array_agg(%s) FROM generate_series(1, %d) i))"
				: "SELECT %s.insert_event('%s', 'bench', %s) FROM generate_series(1, %d) i";
		try (Connection con = db.newConnection(); Statement st = con.createStatement()) {
			st.execute("SELECT " + engine + ".create_queue('" + queue + "')");
			long started = System.nanoTime();
			st.execute(write.formatted(engine, queue, payload, PRODUCED));
			double seconds = (System.nanoTime() - started) / 1e9;
			try (ResultSet rs = st
				.executeQuery("SELECT count(*) FROM " + engine + ".event_" + queueId(st, engine, queue))) {
				rs.next();
				assertThat(rs.getLong(1)).isEqualTo(PRODUCED);
			}
			return PRODUCED / seconds;
		}
	}

	private static int queueId(Statement st, String engine, String queue) throws Exception {
		try (ResultSet rs = st
			.executeQuery("SELECT queue_id FROM " + engine + ".queue WHERE queue_name = '" + queue + "'")) {
			rs.next();
			return rs.getInt(1);
		}
	}

	private double tick(String engine, int round) throws Exception {
		String queue = "tick" + round;
		try (Connection con = db.newConnection(); Statement st = con.createStatement()) {
			st.execute("SELECT " + engine + ".create_queue('" + queue + "')");
			st.execute("SELECT " + engine + ".set_queue_config('" + queue + "', 'ticker_max_count', '1')");
			long ticked = 0;
			long started = System.nanoTime();
			try (PreparedStatement insert = con.prepareStatement("SELECT " + engine + ".insert_event(?, 'bench', 'x')");
					PreparedStatement ticker = con.prepareStatement("SELECT " + engine + ".ticker(?)")) {
				insert.setString(1, queue);
				ticker.setString(1, queue);
				for (int i = 0; i < TICKS; i++) {
					insert.executeQuery().close();
					try (ResultSet rs = ticker.executeQuery()) {
						rs.next();
						rs.getLong(1);
						ticked += rs.wasNull() ? 0 : 1;
					}
				}
			}
			double seconds = (System.nanoTime() - started) / 1e9;
			assertThat(ticked).isEqualTo(TICKS);
			return TICKS / seconds;
		}
	}

	private double consume(String engine, String consumer) throws Exception {
		try (Connection con = db.newConnection()) {
			con.setAutoCommit(false);
			long started = System.nanoTime();
			long count = PgqDrainLoop.drain(con, engine, "drain", consumer);
			double seconds = (System.nanoTime() - started) / 1e9;
			assertThat(count).isEqualTo((long) BATCHES * BATCH_SIZE);
			return count / seconds;
		}
	}

	/**
	 * The rounds of one workload, per engine.
	 */
	private static final class Results {

		private final String name;

		private final List<Double> pgque = new ArrayList<>();

		private final List<Double> pgq = new ArrayList<>();

		Results(String name) {
			this.name = name;
		}

		void add(String engine, double rate, boolean counted) {
			System.out.printf("%-22s %-6s %,12.0f%s%n", this.name, engine, rate, counted ? "" : " (warm-up)");
			if (counted) {
				(engine.equals("pgque") ? this.pgque : this.pgq).add(rate);
			}
		}

		void print() {
			double pgqueMedian = median(this.pgque);
			if (this.pgq.isEmpty()) {
				System.out.printf("%-22s pgque median %,12.0f best %,12.0f%n", this.name, pgqueMedian,
						Collections.max(this.pgque));
				return;
			}
			double pgqMedian = median(this.pgq);
			System.out.printf(
					"%-22s pgque median %,12.0f best %,12.0f | pgq median %,12.0f best %,12.0f | pgque/pgq %.0f %%%n",
					this.name, pgqueMedian, Collections.max(this.pgque), pgqMedian, Collections.max(this.pgq),
					100 * pgqueMedian / pgqMedian);
		}

		private static double median(List<Double> rates) {
			List<Double> sorted = new ArrayList<>(rates);
			Collections.sort(sorted);
			return sorted.get(sorted.size() / 2);
		}

	}

}
