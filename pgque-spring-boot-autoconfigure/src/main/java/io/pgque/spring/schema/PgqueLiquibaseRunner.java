package io.pgque.spring.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Map;

import javax.sql.DataSource;

import liquibase.Scope;
import liquibase.UpdateSummaryOutputEnum;
import liquibase.analytics.configuration.AnalyticsArgs;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.command.core.helpers.ShowSummaryArgument;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;
import org.jspecify.annotations.Nullable;

/**
 * Applies one of the engine's changelogs to a database with Liquibase, recording it in
 * the engine's own changelog tables inside the {@code pgque} schema.
 * <p>
 * Deliberately not a {@code SpringLiquibase} bean: Boot's Liquibase auto-configuration
 * backs off when one exists, which would stop the application's own migrations.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueLiquibaseRunner {

	private final DataSource dataSource;

	private final ClassLoader classLoader;

	public PgqueLiquibaseRunner(DataSource dataSource) {
		this(dataSource, PgqueLiquibaseRunner.class.getClassLoader());
	}

	public PgqueLiquibaseRunner(DataSource dataSource, ClassLoader classLoader) {
		this.dataSource = dataSource;
		this.classLoader = classLoader;
	}

	/**
	 * Apply the changesets of the given changelog that have not run yet, and those marked
	 * to re-run whose text changed, unless the engine's marker says this very changelog
	 * text was applied already: then nothing runs and nothing is written.
	 * <p>
	 * Installs are serialised by a session advisory lock, so instances starting together
	 * wait for the one that installs, and a process killed mid-install leaves nothing
	 * locked behind.
	 * @param changelog the classpath location of the changelog
	 * @return what was applied, or {@code null} if the engine was already up to date
	 */
	public @Nullable String update(String changelog) {
		PgqueEngineMarker marker = PgqueEngineMarker.of(changelog, this.classLoader);
		try (Connection connection = this.dataSource.getConnection()) {
			if (marker.isApplied(connection)) {
				return null;
			}
			try (PgqueInstallLock lock = PgqueInstallLock.acquire(connection)) {
				// whoever held the lock before may have just installed this very text
				if (marker.isApplied(connection)) {
					return null;
				}
				createSchemaIfMissing(connection);
				lock.releaseAbandonedLiquibaseLock();
				String applied = runLiquibase(connection, changelog);
				marker.record(connection);
				return applied;
			}
		}
		catch (PgqueSchemaException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new PgqueSchemaException("Could not apply PgQue changelog '" + changelog + "': " + ex.getMessage(),
					ex);
		}
	}

	private String runLiquibase(Connection connection, String changelog) throws Exception {
		Timestamp started = databaseTime(connection);
		Database database = DatabaseFactory.getInstance()
			.findCorrectDatabaseImplementation(new JdbcConnection(connection));
		database.setLiquibaseSchemaName(PgqueChangelogs.SCHEMA);
		database.setDatabaseChangeLogTableName(PgqueChangelogs.CHANGELOG_TABLE);
		database.setDatabaseChangeLogLockTableName(PgqueChangelogs.CHANGELOG_LOCK_TABLE);
		// a library installing its schema sends no analytics (offline, it logged an ERROR
		// with a stack trace) and prints no summary on stdout: its one line says enough
		Map<String, Object> scope = Map.of(Scope.Attr.resourceAccessor.name(),
				new ClassLoaderResourceAccessor(this.classLoader), Scope.Attr.logService.name(),
				new PgqueLiquibaseLogService(), Scope.Attr.ui.name(), new LoggerUIService(),
				AnalyticsArgs.ENABLED.getKey(), false);
		Scope.child(scope,
				() -> new CommandScope(UpdateCommandStep.COMMAND_NAME)
					.addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
					.addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, changelog)
					.addArgumentValue(ShowSummaryArgument.SHOW_SUMMARY_OUTPUT, UpdateSummaryOutputEnum.LOG)
					.execute());
		return changesetsRunSince(connection, started);
	}

	private static Timestamp databaseTime(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet now = statement.executeQuery("SELECT clock_timestamp()::timestamp")) {
			now.next();
			return now.getTimestamp(1);
		}
	}

	private static String changesetsRunSince(Connection connection, Timestamp started) throws SQLException {
		try (PreparedStatement select = connection.prepareStatement("SELECT count(*) FILTER (WHERE exectype = "
				+ "'EXECUTED'), count(*) FILTER (WHERE exectype = 'RERAN') FROM " + PgqueChangelogs.SCHEMA + "."
				+ PgqueChangelogs.CHANGELOG_TABLE + " WHERE dateexecuted >= ?")) {
			select.setTimestamp(1, started);
			try (ResultSet counts = select.executeQuery()) {
				counts.next();
				return counts.getInt(1) + " changesets new, " + counts.getInt(2) + " re-run";
			}
		}
	}

	// Liquibase creates its changelog tables before the first changeset runs, so the
	// schema that holds them must exist first.
	private void createSchemaIfMissing(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute("CREATE SCHEMA IF NOT EXISTS " + PgqueChangelogs.SCHEMA);
		}
		if (!connection.getAutoCommit()) {
			connection.commit();
		}
	}

}
