package io.pgque.spring.ticker;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Finds out whether pg_cron ticks the engine in a database: the extension is installed
 * there and PgQue's jobs are scheduled, as {@code pgque.status()} reports (or, when that
 * function is missing or not allowed, as {@code pgque.config} records).
 *
 * @author pgque-spring-boot authors
 */
final class PgqueCronDetector {

	/**
	 * Whether the pg_cron extension is installed in the connection's database.
	 * @param connection an autocommit connection
	 * @return whether pg_cron is installed
	 * @throws SQLException when the database cannot be asked
	 */
	boolean isPgCronInstalled(Connection connection) throws SQLException {
		return queryBoolean(connection,
				"SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron')");
	}

	/**
	 * Whether PgQue's ticker job is scheduled with pg_cron in the connection's database.
	 * @param connection an autocommit connection
	 * @return whether pg_cron ticks the engine
	 * @throws SQLException when the database cannot be asked
	 */
	boolean isTickedByPgCron(Connection connection) throws SQLException {
		if (!isPgCronInstalled(connection)) {
			return false;
		}
		if (queryBoolean(connection, "SELECT to_regprocedure('pgque.status()') IS NOT NULL")) {
			try {
				return scheduledAccordingToStatus(connection);
			}
			catch (SQLException ex) {
				// status() is admin-only; a reader-level application falls back to the
				// config row
			}
		}
		if (queryBoolean(connection, "SELECT to_regclass('pgque.config') IS NOT NULL")) {
			return scheduledAccordingToConfig(connection);
		}
		return false;
	}

	private boolean scheduledAccordingToStatus(Connection connection) throws SQLException {
		boolean pgCron = false;
		boolean tickerScheduled = false;
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT component, status FROM pgque.status()")) {
			while (rows.next()) {
				String component = rows.getString(1);
				String status = rows.getString(2);
				if ("scheduler".equals(component)) {
					pgCron = "pg_cron".equals(status);
				}
				else if ("ticker".equals(component)) {
					tickerScheduled = "scheduled".equals(status);
				}
			}
		}
		return pgCron && tickerScheduled;
	}

	private boolean scheduledAccordingToConfig(Connection connection) throws SQLException {
		return queryBoolean(connection, "SELECT EXISTS (SELECT 1 FROM pgque.config "
				+ "WHERE scheduler = 'pg_cron' AND ticker_job_id IS NOT NULL)");
	}

	private boolean queryBoolean(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
			return rows.next() && rows.getBoolean(1);
		}
	}

}
