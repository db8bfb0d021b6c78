package io.pgque.spring.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import io.pgque.spring.schema.PgqueEngineRequirements.Routine;
import io.pgque.spring.schema.PgqueEngineRequirements.Table;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Checks, without changing anything, that the engine in a database has every function
 * (with its argument and result types) and every table column the starter uses, and
 * reports all that is missing or different at once, each with the features that need it.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueSchemaValidator {

	private static final String ROUTINE = """
			SELECT p.oid IS NOT NULL AS present, pg_catalog.pg_get_function_result(p.oid) AS result,
			    (SELECT pg_catalog.string_agg(o.oid::regprocedure::text, ', ' ORDER BY o.oid::regprocedure::text)
			     FROM pg_catalog.pg_proc o
			     WHERE o.pronamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pgque')
			       AND o.proname = ?) AS overloads
			FROM (SELECT pg_catalog.to_regprocedure(?) AS oid) r LEFT JOIN pg_catalog.pg_proc p ON p.oid = r.oid""";

	private static final String COLUMNS = """
			SELECT pg_catalog.to_regclass(?) IS NOT NULL AS present,
			    (SELECT pg_catalog.array_agg(a.attname::text) FROM pg_catalog.pg_attribute a
			     WHERE a.attrelid = pg_catalog.to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped) AS columns""";

	private final JdbcTemplate jdbc;

	PgqueSchemaValidator(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
	}

	/**
	 * Every problem found, one line each; empty when the engine has all the starter uses.
	 * @return the problems
	 */
	List<String> problems() {
		List<String> problems = new ArrayList<>();
		for (Routine routine : PgqueEngineRequirements.ROUTINES) {
			String problem = check(routine);
			if (problem != null) {
				problems.add(problem + "; needed by " + String.join(", ", routine.neededBy()));
			}
		}
		for (Table table : PgqueEngineRequirements.TABLES) {
			for (String problem : check(table)) {
				problems.add(problem + "; needed by " + String.join(", ", table.neededBy()));
			}
		}
		return problems;
	}

	private String check(Routine routine) {
		String name = routine.signature().substring("pgque.".length(), routine.signature().indexOf('('));
		Map<String, Object> found;
		try {
			found = this.jdbc.queryForMap(ROUTINE, name, routine.signature());
		}
		catch (DataAccessException ex) {
			// PostgreSQL 14 and 15 raise when a type in the signature does not exist
			return "function " + routine.signature() + " cannot be resolved (" + ex.getMostSpecificCause().getMessage()
					+ ")";
		}
		if (!Boolean.TRUE.equals(found.get("present"))) {
			Object overloads = found.get("overloads");
			return "function " + routine.signature() + " is missing"
					+ ((overloads != null) ? " (the database has " + overloads + " instead)" : "");
		}
		if (routine.result() != null && !routine.result().equals(found.get("result"))) {
			return "function " + routine.signature() + " returns " + found.get("result") + " instead of "
					+ routine.result();
		}
		return null;
	}

	private List<String> check(Table table) {
		Map<String, Object> found = this.jdbc.queryForMap(COLUMNS, table.name(), table.name());
		if (!Boolean.TRUE.equals(found.get("present"))) {
			return List.of("table " + table.name() + " is missing");
		}
		List<String> columns = columnNames(found.get("columns"));
		return table.columns()
			.stream()
			.filter((column) -> !columns.contains(column))
			.map((column) -> "column " + table.name() + "." + column + " is missing")
			.toList();
	}

	private static List<String> columnNames(Object array) {
		try {
			return (array != null) ? List.of((String[]) ((java.sql.Array) array).getArray()) : List.of();
		}
		catch (java.sql.SQLException ex) {
			throw new PgqueSchemaException("Could not read the columns of a PgQue table", ex);
		}
	}

}
