package io.pgque.spring.lease;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Decides {@link PgqueLeaseMode#AUTO}: the table lease when session state cannot be
 * trusted or when strangers could take advisory keys, the advisory lease otherwise.
 * <ul>
 * <li>A pooler that hands one server session to several clients (PgBouncer in transaction
 * or statement mode, RDS Proxy multiplexing) is detected by asking two client connections
 * for their backend pid while the second one holds a transaction: on a direct connection
 * two open connections never share a backend, and a pooler hands the second client the
 * server connection the first just released (PgBouncer reuses the most recent one). A
 * pooler with many idle server connections and round-robin reuse may go unnoticed: set
 * the mode explicitly there.</li>
 * <li>Advisory locks have no access control, so if a non-superuser login without any
 * PgQue role may connect to the database, it could hold every lease key: the table lease
 * (writable only through the engine's roles) is chosen.</li>
 * <li>An engine without {@code pgque.lease} (an upstream install in validate mode) can
 * only use the advisory lease.</li>
 * </ul>
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueLeaseModeDetector {

	private static final Log logger = LogFactory.getLog(PgqueLeaseModeDetector.class);

	// logins other than superusers, the current user and the schema's owner that may
	// connect here and are members of none of the engine's roles
	private static final String STRANGER_LOGINS = """
			SELECT count(*) FROM pg_catalog.pg_roles r
			WHERE r.rolcanlogin AND NOT r.rolsuper AND r.rolname <> current_user
			    AND r.oid <> (SELECT n.nspowner FROM pg_catalog.pg_namespace n WHERE n.nspname = 'pgque')
			    AND pg_catalog.has_database_privilege(r.oid, pg_catalog.current_database(), 'CONNECT')
			    AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(ARRAY['pgque_reader', 'pgque_writer', 'pgque_admin']) g
			        WHERE pg_catalog.to_regrole(g) IS NOT NULL
			            AND pg_catalog.pg_has_role(r.oid, pg_catalog.to_regrole(g), 'MEMBER'))""";

	private PgqueLeaseModeDetector() {
	}

	/**
	 * The mode to use.
	 * @param dataSource the connections leases would be kept on
	 * @param configured the configured mode
	 * @return {@link PgqueLeaseMode#ADVISORY} or {@link PgqueLeaseMode#TABLE}
	 */
	public static PgqueLeaseMode resolve(DataSource dataSource, PgqueLeaseMode configured) {
		if (configured != PgqueLeaseMode.AUTO) {
			return configured;
		}
		try (Connection connection = dataSource.getConnection()) {
			connection.setAutoCommit(true);
			boolean pooled = sharesSessions(dataSource, connection);
			if (!hasLeaseTable(connection)) {
				if (pooled) {
					logger.warn("PgQue: the connection goes through a pooler that shares sessions, but the engine has"
							+ " no pgque.lease table (an older or upstream install): leases fall back to advisory"
							+ " locks, which a pooler in transaction mode does not keep. Upgrade the engine");
				}
				return PgqueLeaseMode.ADVISORY;
			}
			if (pooled) {
				logger.info("PgQue lease mode: table (the connection goes through a pooler that shares sessions)");
				return PgqueLeaseMode.TABLE;
			}
			long strangers = strangerLogins(connection);
			if (strangers > 0) {
				logger.info("PgQue lease mode: table (" + strangers + " login(s) without a PgQue role may connect"
						+ " to this database and could hold advisory lease keys)");
				return PgqueLeaseMode.TABLE;
			}
			logger.info("PgQue lease mode: advisory (direct connection, no login without a PgQue role)");
			return PgqueLeaseMode.ADVISORY;
		}
		catch (SQLException ex) {
			throw new IllegalStateException("PgQue could not decide pgque.lease.mode=auto (" + ex.getMessage()
					+ "); set pgque.lease.mode to advisory or table", ex);
		}
	}

	/**
	 * Whether the DataSource's connections share server sessions (a pooler in transaction
	 * or statement mode): session state such as advisory locks or LISTEN does not stay
	 * with the client connection.
	 * @param dataSource the DataSource
	 * @return whether sessions are shared
	 * @throws SQLException if the database cannot be reached
	 */
	public static boolean sharesSessions(DataSource dataSource) throws SQLException {
		try (Connection connection = dataSource.getConnection()) {
			connection.setAutoCommit(true);
			return sharesSessions(dataSource, connection);
		}
	}

	private static boolean sharesSessions(DataSource dataSource, Connection first) throws SQLException {
		int firstPid = backendPid(first);
		try (Connection second = dataSource.getConnection()) {
			boolean autoCommit = second.getAutoCommit();
			second.setAutoCommit(false);
			try {
				// inside a transaction the second client keeps its server connection
				if (backendPid(second) == firstPid) {
					return true;
				}
				return backendPid(first) != firstPid;
			}
			finally {
				second.rollback();
				second.setAutoCommit(autoCommit);
			}
		}
	}

	private static int backendPid(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT pg_catalog.pg_backend_pid()")) {
			rows.next();
			return rows.getInt(1);
		}
	}

	private static boolean hasLeaseTable(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(
						"SELECT pg_catalog.to_regprocedure('pgque.next_batch_leased(text, text, bigint)') IS NOT NULL")) {
			return rows.next() && rows.getBoolean(1);
		}
	}

	private static long strangerLogins(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(STRANGER_LOGINS)) {
			rows.next();
			return rows.getLong(1);
		}
	}

}
