package io.pgque.spring.listener.source;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

/**
 * Leases as session advisory locks on one {@link PgqueLeaseConnection}, one per (queue,
 * consumer). The server releases them when the connection ends, so a dead or disconnected
 * holder frees its consumers for a standby at once.
 * <p>
 * With each lease the connection locks a <em>witness</em>: a random key drawn for each
 * acquisition, which no other session ever locks. The statement that opens a batch checks
 * the witness with a lock probe (a shared try-lock fails while the witness is held),
 * which is as strict as looking the lease up in {@code pg_locks} and much cheaper.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueAdvisoryLeases implements AutoCloseable {

	private static final SecureRandom WITNESSES = new SecureRandom();

	private final PgqueLeaseConnection connection;

	PgqueAdvisoryLeases(DataSource dataSource) {
		this.connection = new PgqueLeaseConnection(dataSource, "pgque-lease");
	}

	/**
	 * Try to take a lease lock and, with it, a fresh witness lock.
	 * @param key the lease's lock key
	 * @return the acquisition, or {@code null} if another session holds the lease
	 * @throws SQLException if the database cannot be reached
	 */
	@Nullable Hold tryAcquire(long key) throws SQLException {
		long witness = WITNESSES.nextLong();
		return this.connection.use((con, generation) -> {
			try (PreparedStatement ps = con
				.prepareStatement("SELECT CASE WHEN pg_try_advisory_lock(?) THEN pg_try_advisory_lock(?) END")) {
				ps.setLong(1, key);
				ps.setLong(2, witness);
				try (ResultSet rs = ps.executeQuery()) {
					rs.next();
					boolean witnessed = rs.getBoolean(1);
					if (rs.wasNull()) {
						return null;
					}
					if (!witnessed) {
						// another session holds that random key: give the lease back, a
						// later attempt draws a new witness
						unlock(con, key);
						return null;
					}
					return new Hold(key, witness, generation);
				}
			}
		});
	}

	private static void unlock(Connection con, long key) throws SQLException {
		try (PreparedStatement ps = con.prepareStatement("SELECT pg_advisory_unlock(?)")) {
			ps.setLong(1, key);
			ps.executeQuery().close();
		}
	}

	@Override
	public void close() {
		this.connection.close();
	}

	/**
	 * An advisory lease held on one generation of the lease connection.
	 */
	final class Hold implements PgqueLeaseHold {

		private final long key;

		private final long witness;

		private final long generation;

		Hold(long key, long witness, long generation) {
			this.key = key;
			this.witness = witness;
			this.generation = generation;
		}

		long witness() {
			return this.witness;
		}

		@Override
		public boolean isValid() {
			return PgqueAdvisoryLeases.this.connection.isValid(this.generation);
		}

		@Override
		public void release() {
			PgqueAdvisoryLeases.this.connection.useIfSame(this.generation, (con, current) -> {
				unlock(con, this.witness);
				unlock(con, this.key);
				return null;
			});
		}

	}

}
