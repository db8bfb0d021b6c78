package io.pgque.spring.pooler;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the table lease costs, in WAL bytes (pg_current_wal_lsn before and after) and
 * statements: per batch against the plain open and finish, per heartbeat, per idle poll.
 * Prints {@code POOLER cost} lines; WAL is cluster-wide, so the figures include whatever
 * else the server wrote meanwhile (nothing, in a test run of its own).
 */
@Tag("pooler")
class PgqueLeaseCostPoolerIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private static final int BATCHES = 200;

	private final JdbcTemplate jdbc = db.jdbc();

	@Test
	void printWalBytesPerBatchPerHeartbeatAndPerIdlePoll() throws Exception {
		this.jdbc.queryForObject("SELECT pgque.create_queue('cost')", Integer.class);
		this.jdbc.queryForObject("SELECT pgque.register_consumer('cost', 'plain')", Integer.class);
		this.jdbc.queryForObject("SELECT pgque.register_consumer('cost', 'leased')", Integer.class);
		for (int i = 0; i < BATCHES; i++) {
			this.jdbc.queryForObject("SELECT pgque.insert_event('cost', 't', 'x')", Long.class);
			PoolerTestApp.tick(this.jdbc, "cost");
		}
		long epoch = this.jdbc.queryForObject("SELECT pgque.lease_acquire('cost', 'leased', 'me', '1 hour')",
				Long.class);
		try (Connection connection = db.newConnection()) {
			connection.setAutoCommit(false);
			long plain = walBytes(connection, () -> {
				for (int i = 0; i < BATCHES; i++) {
					long batch = queryLong(connection, "SELECT pgque.next_batch('cost', 'plain')");
					queryLong(connection, "SELECT pgque.finish_batch(" + batch + ")");
					connection.commit();
				}
			});
			long leased = walBytes(connection, () -> {
				for (int i = 0; i < BATCHES; i++) {
					long batch = queryLong(connection,
							"SELECT pgque.next_batch_leased('cost', 'leased', " + epoch + ")");
					queryLong(connection,
							"SELECT pgque.finish_batch_leased(" + batch + ", 'cost', 'leased', " + epoch + ")");
					connection.commit();
				}
			});
			connection.setAutoCommit(true);
			long heartbeat = walBytes(connection, () -> {
				for (int i = 0; i < BATCHES; i++) {
					queryLong(connection, "SELECT count(*) FROM pgque.lease_renew('me', '1 hour')");
				}
			});
			for (int i = 0; i < 9; i++) {
				this.jdbc.queryForObject("SELECT pgque.lease_acquire('cost', 'other" + i + "', 'me', '1 hour')",
						Long.class);
			}
			long heartbeatOfTen = walBytes(connection, () -> {
				for (int i = 0; i < BATCHES; i++) {
					queryLong(connection, "SELECT count(*) FROM pgque.lease_renew('me', '1 hour')");
				}
			});
			long idle = walBytes(connection, () -> {
				for (int i = 0; i < BATCHES; i++) {
					queryLong(connection,
							"SELECT coalesce(pgque.next_batch_leased('cost', 'leased', " + epoch + "), 0)");
				}
			});
			System.out.printf(
					"POOLER cost of the table lease: per batch %d WAL bytes leased vs %d plain (+%d), statements 2 vs 2;"
							+ " per heartbeat (1 statement per application) %d WAL bytes for 1 lease, %d for 10;"
							+ " per idle leased poll %d WAL bytes%n",
					leased / BATCHES, plain / BATCHES, (leased - plain) / BATCHES, heartbeat / BATCHES,
					heartbeatOfTen / BATCHES, idle / BATCHES);
			assertThat(idle / BATCHES).as("an idle leased poll writes nothing").isLessThan(8);
		}
	}

	private long walBytes(Connection connection, SqlRun run) throws SQLException {
		String before = this.jdbc.queryForObject("SELECT pg_current_wal_insert_lsn()::text", String.class);
		run.run();
		return this.jdbc.queryForObject("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), ?::pg_lsn)::bigint",
				Long.class, before);
	}

	private static long queryLong(Connection connection, String sql) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(sql);
				ResultSet rows = statement.executeQuery()) {
			rows.next();
			return rows.getLong(1);
		}
	}

	@FunctionalInterface
	interface SqlRun {

		void run() throws SQLException;

	}

}
