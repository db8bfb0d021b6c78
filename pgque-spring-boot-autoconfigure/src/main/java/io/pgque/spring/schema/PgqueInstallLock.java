package io.pgque.spring.schema;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Serialises engine installs with a PostgreSQL session advisory lock: it dies with the
 * session, so a process killed mid-install never blocks a later start (Liquibase's own
 * lock row would stay locked for good).
 * <p>
 * Whoever holds this lock is the only starter installing, so a Liquibase lock row found
 * locked meanwhile belongs to a holder that is gone and is cleared.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueInstallLock implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(PgqueInstallLock.class);

	private static final String KEY = "hashtextextended('pgque-spring-boot engine install', 0)";

	private static final String LIQUIBASE_LOCK_TABLE = PgqueChangelogs.SCHEMA + "."
			+ PgqueChangelogs.CHANGELOG_LOCK_TABLE;

	private final Connection connection;

	private PgqueInstallLock(Connection connection) {
		this.connection = connection;
	}

	/**
	 * Wait for the install lock on the given connection.
	 * @param connection the session to hold it
	 * @return the held lock, to close when the install is over
	 * @throws SQLException if the lock cannot be taken
	 */
	static PgqueInstallLock acquire(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute("SELECT pg_advisory_lock(" + KEY + ")");
		}
		commitIfNeeded(connection);
		return new PgqueInstallLock(connection);
	}

	/**
	 * Clear Liquibase's lock row if a process that died mid-install left it locked.
	 * @throws SQLException if the row cannot be read or cleared
	 */
	void releaseAbandonedLiquibaseLock() throws SQLException {
		try (Statement statement = this.connection.createStatement()) {
			try (ResultSet table = statement
				.executeQuery("SELECT to_regclass('" + LIQUIBASE_LOCK_TABLE + "') IS NOT NULL")) {
				if (!table.next() || !table.getBoolean(1)) {
					return;
				}
			}
			try (ResultSet cleared = statement.executeQuery("UPDATE " + LIQUIBASE_LOCK_TABLE
					+ " SET locked = false, lockgranted = NULL, lockedby = NULL WHERE locked "
					+ "RETURNING (SELECT string_agg(coalesce(lockedby, '?') || ' since ' || lockgranted, ', ') "
					+ "FROM " + LIQUIBASE_LOCK_TABLE + " WHERE locked)")) {
				if (cleared.next() && logger.isWarnEnabled()) {
					logger.warn("Cleared the PgQue Liquibase lock left by an install that did not finish ("
							+ cleared.getString(1) + ")");
				}
			}
		}
		commitIfNeeded(this.connection);
	}

	@Override
	public void close() throws SQLException {
		if (this.connection.isClosed()) {
			return;
		}
		if (!this.connection.getAutoCommit()) {
			this.connection.rollback();
		}
		try (Statement statement = this.connection.createStatement()) {
			statement.execute("SELECT pg_advisory_unlock(" + KEY + ")");
		}
		commitIfNeeded(this.connection);
	}

	private static void commitIfNeeded(Connection connection) throws SQLException {
		if (!connection.getAutoCommit()) {
			connection.commit();
		}
	}

}
