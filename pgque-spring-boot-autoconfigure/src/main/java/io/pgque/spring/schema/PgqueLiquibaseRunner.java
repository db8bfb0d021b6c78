package io.pgque.spring.schema;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import javax.sql.DataSource;

import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;

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
	 * to re-run whose text changed.
	 * @param changelog the classpath location of the changelog
	 */
	public void update(String changelog) {
		try (Connection connection = this.dataSource.getConnection()) {
			createSchemaIfMissing(connection);
			Database database = DatabaseFactory.getInstance()
				.findCorrectDatabaseImplementation(new JdbcConnection(connection));
			database.setLiquibaseSchemaName(PgqueChangelogs.SCHEMA);
			database.setDatabaseChangeLogTableName(PgqueChangelogs.CHANGELOG_TABLE);
			database.setDatabaseChangeLogLockTableName(PgqueChangelogs.CHANGELOG_LOCK_TABLE);
			Map<String, Object> scope = Map.of(Scope.Attr.resourceAccessor.name(),
					new ClassLoaderResourceAccessor(this.classLoader));
			Scope.child(scope,
					() -> new CommandScope(UpdateCommandStep.COMMAND_NAME)
						.addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
						.addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, changelog)
						.execute());
		}
		catch (Exception ex) {
			throw new PgqueSchemaException("Could not apply PgQue changelog '" + changelog + "': " + ex.getMessage(),
					ex);
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
