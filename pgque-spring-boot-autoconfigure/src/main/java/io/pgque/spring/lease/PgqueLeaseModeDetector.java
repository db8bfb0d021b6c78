package io.pgque.spring.lease;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.postgresql.PGConnection;

/**
 * Decides {@link PgqueLeaseMode#AUTO}: the table lease when session state cannot be
 * trusted or when strangers could take advisory keys, the advisory lease otherwise.
 * <ul>
 * <li>A pooler (PgBouncer in any mode, RDS Proxy) is detected by the backend pid: a
 * pooler answers the client's startup itself, so the pid the driver was given is not the
 * one {@code pg_backend_pid()} reports. A pooler in session mode keeps sessions, but the
 * table lease works there too, so it is chosen for any pooler; set the mode explicitly to
 * use advisory locks through one.</li>
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
			boolean pooled = throughPooler(connection);
			if (!hasLeaseTable(connection)) {
				if (pooled) {
					logger.warn("PgQue: the connection goes through a pooler, but the engine has"
							+ " no pgque.lease table (an older or upstream install): leases fall back to advisory"
							+ " locks, which a pooler in transaction mode does not keep. Upgrade the engine");
				}
				return PgqueLeaseMode.ADVISORY;
			}
			if (pooled) {
				logger.info("PgQue lease mode: table (the connection goes through a pooler)");
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
	 * Whether the DataSource's connections go through a pooler, where session state such
	 * as advisory locks or LISTEN may not stay with the client connection.
	 * @param dataSource the DataSource
	 * @return whether a pooler is in between
	 * @throws SQLException if the database cannot be reached
	 */
	public static boolean throughPooler(DataSource dataSource) throws SQLException {
		try (Connection connection = dataSource.getConnection()) {
			connection.setAutoCommit(true);
			return throughPooler(connection);
		}
	}

	// A pooler answers the client's startup itself, with a cancel key (and so a "pid") of
	// its own: the pid the driver got at startup is then not the backend's. A pooler that
	// passed the real one through would show as a pid that changes between statements.
	private static boolean throughPooler(Connection connection) throws SQLException {
		int first = backendPid(connection);
		if (connection.isWrapperFor(PGConnection.class)
				&& connection.unwrap(PGConnection.class).getBackendPID() != first) {
			return true;
		}
		return backendPid(connection) != first;
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
