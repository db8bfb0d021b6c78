package io.pgque.spring.engine;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Privilege escalation probes with real LOGIN roles on an engine installed by a
 * superuser: a writer-only, a reader-only and an admin login try what an attacker would,
 * and none of them gains a privilege.
 */
class EngineSecurityIntegrationTests {

	private static final String SEARCH_PATH = "search_path=pgque, pg_catalog, pg_temp";

	// Type names the engine's functions use; each becomes a pg_temp domain whose check
	// runs the attacker's function, with the rights of whoever evaluates it.
	private static final List<String> SHADOWED_TYPES = List.of("text", "int4", "int8", "integer", "bool", "boolean",
			"timestamptz", "interval", "jsonb", "json", "name", "regclass", "xid8", "numeric", "float8", "varchar",
			"oid", "pg_snapshot", "bigint", "regprocedure");

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final JdbcTemplate jdbc = db.jdbc();

	private final EngineSql sql = new EngineSql(this.jdbc);

	private final List<String> logins = new ArrayList<>();

	@AfterEach
	void dropLogins() {
		for (String login : this.logins) {
			this.jdbc.execute("DROP OWNED BY " + login);
			this.jdbc.execute("DROP ROLE " + login);
		}
	}

	@Test
	void everySecurityDefinerFunctionSearchesPgTempLast() {
		List<Map<String, Object>> functions = this.jdbc
			.queryForList("SELECT p.oid::regprocedure::text AS fn, p.proconfig::text AS config FROM pg_proc p"
					+ " WHERE p.pronamespace = 'pgque'::regnamespace AND p.prosecdef");
		assertThat(functions).hasSizeGreaterThan(30)
			.allSatisfy((fn) -> assertThat((String) fn.get("config")).as("%s", fn.get("fn")).contains(SEARCH_PATH));
	}

	@Test
	void publicReadsNothingInTheSchema() {
		String outsider = login();
		this.sql.createQueue("s_public");
		List<String> readable = this.jdbc.queryForList(
				"SELECT c.oid::regclass::text FROM pg_class c"
						+ " WHERE c.relnamespace = 'pgque'::regnamespace AND c.relkind IN ('r', 'p', 'S', 'v', 'm')"
						+ " AND (has_table_privilege(?, c.oid, 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE')"
						+ " OR (c.relkind = 'S' AND has_sequence_privilege(?, c.oid, 'USAGE,SELECT,UPDATE')))",
				String.class, outsider, outsider);
		assertThat(readable).isEmpty();
		List<String> executable = this.jdbc.queryForList("SELECT p.oid::regprocedure::text FROM pg_proc p"
				+ " WHERE p.pronamespace = 'pgque'::regnamespace AND has_function_privilege(?, p.oid, 'EXECUTE')",
				String.class, outsider);
		assertThat(executable).isEmpty();
		assertThat(
				this.jdbc.queryForObject("SELECT has_schema_privilege(?, 'pgque', 'CREATE')", Boolean.class, outsider))
			.isFalse();
	}

	@Test
	void onlyTheOwnerMayCreateInTheSchema() {
		assertThat(this.jdbc.queryForList("SELECT r FROM unnest(ARRAY['pgque_reader', 'pgque_writer', 'pgque_admin'])"
				+ " r WHERE has_schema_privilege(r, 'pgque', 'CREATE')", String.class))
			.isEmpty();
	}

	@Test
	void aWriterPlantingInPgTempGainsNothing() throws SQLException {
		probeWithPgTempPlants(login("pgque_writer"));
	}

	@Test
	void aReaderPlantingInPgTempGainsNothing() throws SQLException {
		probeWithPgTempPlants(login("pgque_reader"));
	}

	@Test
	void anAdminCannotPlantInTheSchemaNorInjectThroughQueueColumns() throws SQLException {
		String admin = login("pgque_admin");
		this.sql.createQueue("s_admin");
		String before = privileges(admin);
		try (Connection connection = connect(admin)) {
			JdbcTemplate attacker = new JdbcTemplate(new SingleConnectionDataSource(connection, true));
			attacker.execute(escalation(admin, "public"));
			assertThatExceptionOfType(Exception.class)
				.isThrownBy(() -> attacker
					.execute("CREATE FUNCTION pgque.now() RETURNS timestamptz LANGUAGE sql AS 'SELECT public.evil()"
							+ " AND false; SELECT pg_catalog.now()'"))
				.withStackTraceContaining("permission denied for schema pgque");
			String injection = "; SELECT public.evil(); --";
			attacker.update("UPDATE pgque.queue SET queue_data_pfx = queue_data_pfx || ?,"
					+ " queue_event_seq = queue_event_seq || ?, queue_tick_seq = queue_tick_seq || ?"
					+ " WHERE queue_name = 's_admin'", injection, injection, injection);
			for (String call : List.of("SELECT pgque.ticker('s_admin')",
					"SELECT pgque.insert_event('s_admin', 't', 'd')", "SELECT pgque.send('s_admin', 't', '{}'::jsonb)",
					"SELECT pgque.grant_perms('s_admin')", "SELECT pgque.tune_storage('s_admin')",
					"SELECT pgque.maint_rotate_tables_step1('s_admin')", "SELECT pgque.maint()",
					"SELECT pgque.get_queue_info('s_admin')", "SELECT pgque.drop_queue('s_admin', true)")) {
				attempt(attacker, call);
			}
		}
		assertThat(privileges(admin)).isEqualTo(before);
	}

	private void probeWithPgTempPlants(String login) throws SQLException {
		this.sql.createQueue("s_probe");
		this.sql.subscribe("s_probe", "c_probe");
		String before = privileges(login);
		try (Connection connection = connect(login)) {
			JdbcTemplate attacker = new JdbcTemplate(new SingleConnectionDataSource(connection, true));
			attacker.execute(escalation(login, "pg_temp"));
			for (String type : SHADOWED_TYPES) {
				attempt(attacker,
						"CREATE DOMAIN pg_temp." + type + " AS pg_catalog." + type + " CHECK (pg_temp.evil())");
			}
			attempt(attacker, "CREATE FUNCTION pg_temp.now() RETURNS timestamptz LANGUAGE sql"
					+ " AS 'SELECT pg_temp.evil(); SELECT pg_catalog.now()'");
			for (String op : List.of("=", "<", ">", "<=", ">=", "<>", "||", "+", "-")) {
				attempt(attacker, "CREATE FUNCTION pg_temp.op_tt(pg_catalog.text, pg_catalog.text)"
						+ " RETURNS pg_catalog.bool LANGUAGE sql AS 'SELECT pg_temp.evil()'");
				attempt(attacker, "CREATE OPERATOR pg_temp." + op
						+ " (LEFTARG = pg_catalog.text, RIGHTARG = pg_catalog.text, FUNCTION = pg_temp.op_tt)");
				attempt(attacker, "CREATE FUNCTION pg_temp.op_bi(pg_catalog.int8, pg_catalog.int4)"
						+ " RETURNS pg_catalog.bool LANGUAGE sql AS 'SELECT pg_temp.evil()'");
				attempt(attacker, "CREATE OPERATOR pg_temp." + op
						+ " (LEFTARG = pg_catalog.int8, RIGHTARG = pg_catalog.int4, FUNCTION = pg_temp.op_bi)");
			}
			for (String call : List.of("SELECT pgque.send('s_probe', 't', '{}'::jsonb)",
					"SELECT pgque.send_batch('s_probe', 't', ARRAY['{}'::jsonb])",
					"SELECT pgque.insert_event('s_probe', 't', 'd')", "SELECT pgque.version()",
					"SELECT pgque.subscribe('s_probe', 'c_probe2')",
					"SELECT * FROM pgque.receive('s_probe', 'c_probe', 10)",
					"SELECT pgque.next_batch('s_probe', 'c_probe')", "SELECT * FROM pgque.get_queue_info()",
					"SELECT * FROM pgque.get_consumer_info()", "SELECT * FROM pgque.dlq_inspect('s_probe')")) {
				attempt(attacker, call);
			}
			for (String call : everyCallable(login)) {
				attempt(attacker, call);
			}
		}
		assertThat(privileges(login)).isEqualTo(before);
	}

	// Every function the login may execute, called with NULL arguments of the real types.
	private List<String> everyCallable(String login) {
		return this.jdbc.queryForList("SELECT CASE p.prokind WHEN 'p' THEN 'CALL ' ELSE 'SELECT * FROM ' END"
				+ " || p.oid::regproc::text || '(' || coalesce((SELECT string_agg('NULL::' || quote_ident(n.nspname)"
				+ " || '.' || quote_ident(t.typname), ', ' ORDER BY a.ord) FROM unnest(p.proargtypes::oid[])"
				+ " WITH ORDINALITY a (typ, ord) JOIN pg_type t ON t.oid = a.typ JOIN pg_namespace n"
				+ " ON n.oid = t.typnamespace), '') || ')' FROM pg_proc p WHERE p.pronamespace = 'pgque'::regnamespace"
				+ " AND p.prokind IN ('f', 'p') AND has_function_privilege(?, p.oid, 'EXECUTE')"
				+ " AND p.proname NOT IN ('ticker_loop')", String.class, login);
	}

	// The attacker's payload: made superuser and admin, if it ever runs with an owner's
	// rights.
	private static String escalation(String login, String schema) {
		return "CREATE FUNCTION " + schema + ".evil() RETURNS pg_catalog.bool LANGUAGE plpgsql AS $$ BEGIN"
				+ " BEGIN EXECUTE 'ALTER ROLE " + login + " SUPERUSER'; EXCEPTION WHEN OTHERS THEN NULL; END;"
				+ " BEGIN EXECUTE 'GRANT pgque_admin TO " + login + "'; EXCEPTION WHEN OTHERS THEN NULL; END;"
				+ " RETURN true; END $$";
	}

	// Autocommit, so a failed attempt leaves the session usable for the next one.
	private static void attempt(JdbcTemplate attacker, String statement) {
		try {
			attacker.execute("SET statement_timeout = '5s'");
			attacker.execute(statement);
		}
		catch (RuntimeException ex) {
			// refused or failed: either way, only the privileges afterwards matter
		}
	}

	private String privileges(String login) {
		return this.jdbc.queryForObject("SELECT r.rolsuper || ' ' || r.rolcreaterole || ' ' || r.rolcreatedb || ' '"
				+ " || coalesce((SELECT string_agg(m.roleid::regrole::text, ',' ORDER BY m.roleid::regrole::text)"
				+ " FROM pg_auth_members m WHERE m.member = r.oid), '') FROM pg_roles r WHERE r.rolname = ?",
				String.class, login);
	}

	private String login(String... roles) {
		String login = "pgque_probe_" + UUID.randomUUID().toString().substring(0, 8);
		this.jdbc.execute("CREATE ROLE " + login + " LOGIN PASSWORD 'probe'");
		this.logins.add(login);
		for (String role : roles) {
			this.jdbc.execute("GRANT " + role + " TO " + login);
		}
		this.jdbc.execute("GRANT CONNECT, TEMPORARY ON DATABASE " + db.name() + " TO " + login);
		this.jdbc.execute("GRANT CREATE ON SCHEMA public TO " + login);
		return login;
	}

	private static Connection connect(String login) throws SQLException {
		Connection connection = DriverManager.getConnection(db.jdbcUrl(), login, "probe");
		try (Statement statement = connection.createStatement()) {
			statement.execute("SELECT 1");
		}
		return connection;
	}

}
