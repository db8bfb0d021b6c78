package io.pgque.spring.ticker;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.jspecify.annotations.Nullable;

/**
 * Finds out whether a scheduler inside or next to the database already ticks the engine:
 * PgQue's jobs scheduled with pg_cron ({@code pgque.start()}) or pg_timetable
 * ({@code pgque.start_timetable()}), as {@code pgque.status()} reports or, when that
 * function is missing or not allowed, as {@code pgque.config} records.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueSchedulerDetector {

	static final String PG_CRON = "pg_cron";

	static final String PG_TIMETABLE = "pg_timetable";

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
	 * Whether the engine in the connection's database can schedule its own pg_cron jobs
	 * ({@code pgque.start()}; an engine older than the scheduler functions cannot).
	 * @param connection an autocommit connection
	 * @return whether {@code pgque.start()} exists
	 * @throws SQLException when the database cannot be asked
	 */
	boolean canSchedulePgCronJobs(Connection connection) throws SQLException {
		return queryBoolean(connection, "SELECT to_regprocedure('pgque.start()') IS NOT NULL");
	}

	/**
	 * Schedule PgQue's pg_cron jobs ({@code pgque.start()}), which records them in
	 * {@code pgque.config}. Needs pg_cron and the rights of the engine's admin.
	 * @param connection an autocommit connection
	 * @throws SQLException when the jobs cannot be scheduled
	 */
	void schedulePgCronJobs(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute("SELECT pgque.start()");
		}
	}

	/**
	 * The scheduler that ticks the engine in the connection's database.
	 * @param connection an autocommit connection
	 * @return {@value #PG_CRON}, {@value #PG_TIMETABLE}, or {@code null} when no
	 * scheduler ticks
	 * @throws SQLException when the database cannot be asked
	 */
	@Nullable String tickingScheduler(Connection connection) throws SQLException {
		String scheduler = scheduledAccordingToEngine(connection);
		if (PG_CRON.equals(scheduler) && !isPgCronInstalled(connection)) {
			// job ids left behind by a database restored without the extension
			return null;
		}
		return (PG_CRON.equals(scheduler) || PG_TIMETABLE.equals(scheduler)) ? scheduler : null;
	}

	private @Nullable String scheduledAccordingToEngine(Connection connection) throws SQLException {
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
		return null;
	}

	private @Nullable String scheduledAccordingToStatus(Connection connection) throws SQLException {
		String scheduler = null;
		boolean tickerScheduled = false;
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT component, status FROM pgque.status()")) {
			while (rows.next()) {
				String component = rows.getString(1);
				if ("scheduler".equals(component)) {
					scheduler = rows.getString(2);
				}
				else if ("ticker".equals(component)) {
					tickerScheduled = "scheduled".equals(rows.getString(2));
				}
			}
		}
		return tickerScheduled ? scheduler : null;
	}

	private @Nullable String scheduledAccordingToConfig(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement
					.executeQuery("SELECT scheduler FROM pgque.config WHERE ticker_job_id IS NOT NULL")) {
			return rows.next() ? rows.getString(1) : null;
		}
	}

	private boolean queryBoolean(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
			return rows.next() && rows.getBoolean(1);
		}
	}

}
