package io.pgque.spring.listener.source;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The one autocommit connection on which an application keeps its leases, opened on first
 * use and used under a lock. A call that fails drops it; the generation then changes, so
 * a lock taken on the dropped session is known to be gone.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueLeaseConnection implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(PgqueLeaseConnection.class);

	private static final int VALIDATION_TIMEOUT_SECONDS = 5;

	private final DataSource dataSource;

	private final String applicationName;

	private final ReentrantLock lock = new ReentrantLock();

	private @Nullable Connection connection;

	private long generation;

	private boolean closed;

	PgqueLeaseConnection(DataSource dataSource, String applicationName) {
		this.dataSource = dataSource;
		this.applicationName = applicationName;
	}

	/**
	 * Run {@code work} on the connection (opened if needed); a failure drops it.
	 * @param work what to run
	 * @param <T> its result
	 * @return the result
	 * @throws SQLException if the database cannot be reached or the work failed
	 */
	<T> T use(Work<T> work) throws SQLException {
		this.lock.lock();
		try {
			Connection con = open();
			try {
				return work.run(con, this.generation);
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
	 * Run {@code work} only if the connection is still the one of {@code generation}.
	 * @param generation the generation the caller's state belongs to
	 * @param work what to run
	 * @return whether it ran and succeeded
	 */
	boolean useIfSame(long generation, Work<?> work) {
		this.lock.lock();
		try {
			Connection con = this.connection;
			if (con == null || generation != this.generation) {
				return false;
			}
			try {
				work.run(con, generation);
				return true;
			}
			catch (SQLException ex) {
				logger.debug("PgQue lease statement failed; dropping its connection", ex);
				drop();
				return false;
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Whether the connection of {@code generation} is still open and answers.
	 * @param generation the generation
	 * @return whether it is
	 */
	boolean isValid(long generation) {
		return useIfSame(generation, (con, current) -> {
			if (!con.isValid(VALIDATION_TIMEOUT_SECONDS)) {
				logger.warn("PgQue lease connection lost; every lease held on it is gone");
				throw new SQLException("Lease connection lost");
			}
			return null;
		});
	}

	private Connection open() throws SQLException {
		if (this.closed) {
			throw new SQLException("PgQue lease manager is closed");
		}
		Connection con = this.connection;
		if (con == null) {
			con = this.dataSource.getConnection();
			try {
				con.setAutoCommit(true);
				try (Statement st = con.createStatement()) {
					st.execute("SET application_name = '" + this.applicationName + "'");
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

	/**
	 * Work on the lease connection.
	 *
	 * @param <T> its result
	 */
	@FunctionalInterface
	interface Work<T> {

		@Nullable T run(Connection connection, long generation) throws SQLException;

	}

}
