package io.pgque.spring.listener.source;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the one connection on which the containers of an application hold their leases:
 * session-level PostgreSQL advisory locks, one per (queue, consumer). The server releases
 * them when the connection ends, so a dead or disconnected holder frees its consumers for
 * a standby at once.
 * <p>
 * The connection is shared and used under a lock; a call that finds it broken drops it,
 * which invalidates every lease taken on it, and the next acquisition opens a new one.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueLeaseManager implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(PgqueLeaseManager.class);

	private static final int VALIDATION_TIMEOUT_SECONDS = 5;

	private final DataSource dataSource;

	private final ReentrantLock lock = new ReentrantLock();

	private @Nullable Connection connection;

	private long generation;

	private boolean closed;

	public PgqueLeaseManager(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	/**
	 * The lease of one (queue, consumer).
	 * @param queue the queue
	 * @param consumer the consumer
	 * @return the lease, not yet acquired
	 */
	public PgqueLease lease(String queue, String consumer) {
		return new PgqueLease(this, key(queue, consumer), queue + "/" + consumer);
	}

	/**
	 * The advisory lock key of (queue, consumer): the first 8 bytes of a SHA-256, the
	 * same in every JVM.
	 * @param queue the queue
	 * @param consumer the consumer
	 * @return the key
	 */
	public static long key(String queue, String consumer) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			byte[] hash = digest.digest(("pgque-lease\0" + queue + "\0" + consumer).getBytes(StandardCharsets.UTF_8));
			return ByteBuffer.wrap(hash).getLong();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Try to take a lease lock and, with it, its witness lock.
	 * @param key the lease's lock key
	 * @param witness a fresh random key, locked only by this acquisition (see
	 * {@link PgqueLease})
	 * @return the connection generation they were taken on, or -1 if another session
	 * holds the lease
	 * @throws SQLException if the database cannot be reached
	 */
	long tryLock(long key, long witness) throws SQLException {
		this.lock.lock();
		try {
			Connection con = connection();
			try (PreparedStatement ps = con
				.prepareStatement("SELECT CASE WHEN pg_try_advisory_lock(?) THEN pg_try_advisory_lock(?) END")) {
				ps.setLong(1, key);
				ps.setLong(2, witness);
				try (ResultSet rs = ps.executeQuery()) {
					rs.next();
					boolean witnessed = rs.getBoolean(1);
					if (rs.wasNull()) {
						return -1;
					}
					if (!witnessed) {
						// another session holds that random key: give the lease back, a
						// later attempt draws a new witness
						unlock(con, key);
						return -1;
					}
					return this.generation;
				}
			}
			catch (SQLException ex) {
				drop();
				throw ex;
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Whether a lock taken on connection generation {@code generation} is still held: the
	 * connection is the same and answers.
	 * @param generation the generation the lock was taken on
	 * @return whether it is held
	 */
	boolean isValid(long generation) {
		this.lock.lock();
		try {
			Connection con = this.connection;
			if (con == null || generation != this.generation) {
				return false;
			}
			try {
				if (con.isValid(VALIDATION_TIMEOUT_SECONDS)) {
					return true;
				}
			}
			catch (SQLException ex) {
				logger.debug("Lease connection check failed", ex);
			}
			logger.warn("PgQue lease connection lost; every lease held on it is gone");
			drop();
			return false;
		}
		finally {
			this.lock.unlock();
		}
	}

	void unlock(long key, long witness, long generation) {
		this.lock.lock();
		try {
			Connection con = this.connection;
			if (con == null || generation != this.generation) {
				return;
			}
			try {
				unlock(con, witness);
				unlock(con, key);
			}
			catch (SQLException ex) {
				logger.debug("Could not release lease; dropping its connection", ex);
				drop();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private static void unlock(Connection con, long key) throws SQLException {
		try (PreparedStatement ps = con.prepareStatement("SELECT pg_advisory_unlock(?)")) {
			ps.setLong(1, key);
			ps.executeQuery().close();
		}
	}

	private Connection connection() throws SQLException {
		if (this.closed) {
			throw new SQLException("PgQue lease manager is closed");
		}
		Connection con = this.connection;
		if (con == null) {
			con = this.dataSource.getConnection();
			try {
				con.setAutoCommit(true);
				try (Statement st = con.createStatement()) {
					st.execute("SET application_name = 'pgque-lease'");
				}
			}
			catch (SQLException ex) {
				con.close();
				throw ex;
			}
			this.connection = con;
			this.generation++;
		}
		return con;
	}

	private void drop() {
		Connection con = this.connection;
		this.connection = null;
		this.generation++;
		if (con != null) {
			try {
				con.close();
			}
			catch (SQLException ex) {
				logger.debug("Could not close lease connection", ex);
			}
		}
	}

	/**
	 * Close the connection, releasing every lease held on it.
	 */
	@Override
	public void close() {
		this.lock.lock();
		try {
			this.closed = true;
			drop();
		}
		finally {
			this.lock.unlock();
		}
	}

}
