package io.pgque.spring.schema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import liquibase.Scope;
import liquibase.change.Change;
import liquibase.changelog.ChangeLogParameters;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.database.Database;
import liquibase.database.core.PostgresDatabase;
import liquibase.parser.ChangeLogParserFactory;
import liquibase.precondition.core.PreconditionContainer;
import liquibase.precondition.core.SqlPrecondition;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.ResourceAccessor;
import liquibase.statement.SqlStatement;
import liquibase.statement.core.RawSqlStatement;
import org.jspecify.annotations.Nullable;

/**
 * Renders the engine's changelog as one plain SQL script, for DBAs who review or apply
 * SQL with psql, for pg_tle and for clients in other languages; and the matching
 * uninstall script. The build writes both next to the changelog
 * ({@code io/pgque/db/pgque.sql}, {@code io/pgque/db/pgque_uninstall.sql}), so they are
 * the same sources Liquibase applies.
 * <p>
 * Changesets run in changelog order. One guarded by a "skip when it exists" precondition
 * (the tables) becomes a {@code DO} block that runs its statements only when the check
 * finds nothing, so the script can be run again, or over an install made another way,
 * without touching data; every other changeset is repeatable as written
 * ({@code CREATE OR REPLACE}, idempotent grants).
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueEngineScript {

	private PgqueEngineScript() {
	}

	/**
	 * Write {@code pgque.sql} and {@code pgque_uninstall.sql} into a directory.
	 * @param args the directory
	 * @throws IOException if a file cannot be written
	 */
	public static void main(String[] args) throws IOException {
		Path directory = Path.of(args[0]);
		Files.createDirectories(directory);
		ClassLoader classLoader = PgqueEngineScript.class.getClassLoader();
		Files.writeString(directory.resolve("pgque.sql"), install(PgqueChangelogs.ENGINE, classLoader));
		Files.writeString(directory.resolve("pgque_uninstall.sql"), uninstall());
	}

	/**
	 * The install script of a changelog: the SQL Liquibase itself would run for each
	 * changeset (Liquibase parses the changelog and generates the statements, comments
	 * stripped where it strips them), so both installs give the same catalog.
	 * @param changelog the classpath location of the changelog
	 * @param classLoader where to read it from
	 * @return the script
	 */
	static String install(String changelog, ClassLoader classLoader) {
		StringBuilder script = new StringBuilder();
		script.append("-- PgQue engine (pgque-spring-boot), generated from ")
			.append(changelog)
			.append("; do not edit.\n")
			.append("-- Apply in one transaction:  psql -v ON_ERROR_STOP=1 -1 -f pgque.sql\n")
			.append("-- Running it again changes no data. The starter adopts a database installed this way.\n");
		for (Changeset changeset : changesets(changelog, classLoader)) {
			script.append("\n-- changeset ").append(changeset.id()).append(" (").append(changeset.file()).append(")\n");
			script.append(changeset.render());
		}
		return script.toString();
	}

	private static List<Changeset> changesets(String changelog, ClassLoader classLoader) {
		ResourceAccessor accessor = new ClassLoaderResourceAccessor(classLoader);
		try {
			return Scope.child(Map.of(Scope.Attr.resourceAccessor.name(), accessor), () -> {
				DatabaseChangeLog parsed = ChangeLogParserFactory.getInstance()
					.getParser(changelog, accessor)
					.parse(changelog, new ChangeLogParameters(), accessor);
				Database postgres = new PostgresDatabase();
				List<Changeset> changesets = new ArrayList<>();
				for (ChangeSet changeSet : parsed.getChangeSets()) {
					StringBuilder sql = new StringBuilder();
					for (Change change : changeSet.getChanges()) {
						for (SqlStatement statement : change.generateStatements(postgres)) {
							sql.append(((RawSqlStatement) statement).getSql().strip()).append(";\n");
						}
					}
					changesets.add(new Changeset(changeSet.getAuthor() + ":" + changeSet.getId(),
							changeSet.getFilePath(), skipCheck(changeSet), sql.toString().replaceAll(";;\n$", ";\n")));
				}
				return changesets;
			});
		}
		catch (Exception ex) {
			throw new PgqueSchemaException("Could not render PgQue changelog '" + changelog + "' as SQL", ex);
		}
	}

	// The "skip when it exists" precondition: an SQL check that expects 0, marking the
	// changeset ran otherwise. Anything else cannot be rendered as plain SQL.
	private static String skipCheck(ChangeSet changeSet) {
		PreconditionContainer container = changeSet.getPreconditions();
		if (container == null || container.getNestedPreconditions().isEmpty()) {
			return null;
		}
		if (container.getNestedPreconditions().size() == 1
				&& container.getNestedPreconditions().get(0) instanceof SqlPrecondition check
				&& "0".equals(check.getExpectedResult())) {
			return check.getSql().strip();
		}
		throw new PgqueSchemaException("Cannot render the preconditions of changeset " + changeSet.getId()
				+ " as SQL: only one SQL check expecting 0 is supported");
	}

	/**
	 * The uninstall script: the engine's own {@code pgque.uninstall()} (which stops
	 * scheduler jobs first), or the schema alone when that function is gone. Roles stay.
	 * @return the script
	 */
	static String uninstall() {
		return """
				-- PgQue engine (pgque-spring-boot): removes the engine from this database; the roles stay.
				-- psql -v ON_ERROR_STOP=1 -f pgque_uninstall.sql
				DO $pgque$
				BEGIN
					IF pg_catalog.to_regprocedure('pgque.uninstall()') IS NOT NULL THEN
						PERFORM pgque.uninstall();
					ELSE
						DROP SCHEMA IF EXISTS pgque CASCADE;
					END IF;
				END
				$pgque$;
				""";
	}

	private record Changeset(String id, String file, @Nullable String check, String sql) {

		String render() {
			if (this.check == null) {
				return this.sql;
			}
			if (this.sql.contains("$pgque_changeset$")) {
				throw new PgqueSchemaException(
						"Changeset " + this.id + " uses the script's own quote $pgque_changeset$");
			}
			// EXECUTE runs every statement of the string, in this transaction
			return "DO $pgque_guard$\nBEGIN\n\tIF (" + this.check + ") = 0 THEN\n\t\tEXECUTE $pgque_changeset$\n"
					+ this.sql + "$pgque_changeset$;\n\tEND IF;\nEND\n$pgque_guard$;\n";
		}

	}

}
