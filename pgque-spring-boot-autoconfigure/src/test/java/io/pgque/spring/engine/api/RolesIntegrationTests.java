package io.pgque.spring.engine.api;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Roles and privileges (contract §3.9): logins holding only pgque_writer, only
 * pgque_reader or pgque_admin, created for this run and dropped afterwards.
 */
class RolesIntegrationTests {

	private static final String PASSWORD = "pgque-test-secret";

	private static final String SUFFIX = ProcessHandle.current().pid() + "_"
			+ Long.toString(System.nanoTime(), 36).toLowerCase(Locale.ROOT);

	private static final String WRITER = "pgque_t_writer_" + SUFFIX;

	private static final String READER = "pgque_t_reader_" + SUFFIX;

	private static final String ADMIN = "pgque_t_admin_" + SUFFIX;

	private static final String NOBODY = "pgque_t_nobody_" + SUFFIX;

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private static final List<SingleConnectionDataSource> sessions = new ArrayList<>();

	@BeforeAll
	static void createLogins() {
		JdbcTemplate jdbc = db.jdbc();
		jdbc.execute("CREATE ROLE " + WRITER + " LOGIN PASSWORD '" + PASSWORD + "' IN ROLE pgque_writer");
		jdbc.execute("CREATE ROLE " + READER + " LOGIN PASSWORD '" + PASSWORD + "' IN ROLE pgque_reader");
		jdbc.execute("CREATE ROLE " + ADMIN + " LOGIN PASSWORD '" + PASSWORD + "' IN ROLE pgque_admin");
		jdbc.execute("CREATE ROLE " + NOBODY + " LOGIN PASSWORD '" + PASSWORD + "'");
		ApiSql api = new ApiSql(jdbc);
		api.createQueue("roles");
	}

	@AfterAll
	static void dropLogins() {
		sessions.forEach(SingleConnectionDataSource::destroy);
		for (String role : List.of(WRITER, READER, ADMIN, NOBODY)) {
			db.jdbc().execute("DROP OWNED BY " + role);
			db.jdbc().execute("DROP ROLE IF EXISTS " + role);
		}
	}

	private static JdbcTemplate as(String role) {
		try {
			Connection connection = DriverManager.getConnection(db.jdbcUrl(), role, PASSWORD);
			SingleConnectionDataSource dataSource = new SingleConnectionDataSource(connection, true);
			sessions.add(dataSource);
			return new JdbcTemplate(dataSource);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not log in as " + role, ex);
		}
	}

	@Test
	void writerCanSendButNotConsumeInspectOrAdminister() {
		JdbcTemplate writer = as(WRITER);
		assertThat(writer.queryForObject("SELECT pgque.send('roles', 'w1')", Long.class)).isPositive();
		assertThat(writer.queryForObject("SELECT pgque.send('roles', 't', '{\"a\":1}'::jsonb)", Long.class))
			.isPositive();
		assertThat(writer.queryForObject("SELECT cardinality(pgque.send_batch('roles', ARRAY['w2', 'w3']))",
				Integer.class))
			.isEqualTo(2);
		assertThat(writer.queryForObject("SELECT pgque.insert_event('roles', 't', 'w4')", Long.class)).isPositive();
		for (String sql : List.of("SELECT pgque.subscribe('roles', 'w')", "SELECT * FROM pgque.receive('roles', 'w')",
				"SELECT pgque.ack(1)", "SELECT pgque.next_batch('roles', 'w')",
				"SELECT * FROM pgque.get_batch_events(1)", "SELECT pgque.nack(1, NULL::pgque.message)",
				"SELECT * FROM pgque.dlq_inspect('roles')", "SELECT pgque.create_queue('w')",
				"SELECT pgque.drop_queue('roles')", "SELECT pgque.insert_event_bulk('roles', 't', ARRAY['x'], NULL)",
				"SELECT pgque.uninstall()", "SELECT pgque.set_queue_config('roles', 'max_retries', '1')",
				"SELECT count(*) FROM pgque.event_template", "SELECT count(*) FROM pgque.dead_letter")) {
			SqlErrors.denied(() -> writer.queryForList(sql));
		}
	}

	@Test
	void readerCanConsumeButNotSendOrAdminister() {
		JdbcTemplate reader = as(READER);
		new ApiSql(db.jdbc()).createQueue("reading");
		assertThat(reader.queryForObject("SELECT pgque.subscribe('reading', 'r')", Integer.class)).isEqualTo(1);
		long id = new ApiSql(db.jdbc()).send("reading", "for-reader");
		new ApiSql(db.jdbc()).tick("reading");
		Long batch = reader.queryForObject("SELECT pgque.next_batch('reading', 'r')", Long.class);
		// get_batch_events runs with the reader's own rights.
		assertThat(reader.queryForList("SELECT ev_id FROM pgque.get_batch_events(?)", Long.class, batch))
			.containsExactly(id);
		assertThat(reader.queryForList("SELECT msg_id FROM pgque.receive('reading', 'r')", Long.class))
			.containsExactly(id);
		assertThat(reader.queryForObject(
				"SELECT pgque.nack(?, ROW(?, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::pgque.message)",
				Integer.class, batch, id))
			.isEqualTo(1);
		// The info functions work for readers (upstream 0.2.0 denied get_queue_info).
		assertThat(reader.queryForList("SELECT queue_name FROM pgque.get_queue_info('reading')", String.class))
			.containsExactly("reading");
		assertThat(
				reader.queryForList("SELECT consumer_name FROM pgque.get_consumer_info('reading', 'r')", String.class))
			.containsExactly("r");
		assertThat(reader.queryForObject("SELECT consumer_name FROM pgque.get_batch_info(?)", String.class, batch))
			.isEqualTo("r");
		assertThat(reader.queryForObject("SELECT pgque.ack(?)", Integer.class, batch)).isEqualTo(1);
		assertThat(reader.queryForList("SELECT * FROM pgque.dlq_inspect('reading')")).isEmpty();
		assertThat(reader.queryForObject("SELECT pgque.version()", String.class)).isEqualTo("0.2.0");
		for (String sql : List.of("SELECT pgque.send('roles', 'r')", "SELECT pgque.send_batch('roles', ARRAY['r'])",
				"SELECT pgque.insert_event('roles', 't', 'r')", "SELECT pgque.create_queue('r')",
				"SELECT pgque.drop_queue('roles', true)", "SELECT pgque.dlq_replay(1)",
				"SELECT * FROM pgque.get_batch_cursor(1, 'c', 10)", "SELECT pgque.uninstall()", "SELECT pgque.ticker()",
				"SELECT pgque.dlq_purge('roles')")) {
			SqlErrors.denied(() -> reader.queryForList(sql));
		}
	}

	@Test
	void adminCanManageQueuesButNotUninstallOrBulkInsert() {
		JdbcTemplate admin = as(ADMIN);
		assertThat(admin.queryForObject("SELECT pgque.create_queue('admins')", Integer.class)).isEqualTo(1);
		assertThat(admin.queryForObject("SELECT pgque.set_queue_config('admins', 'max_retries', '2')", Integer.class))
			.isEqualTo(1);
		assertThat(admin.queryForObject("SELECT pgque.send('admins', 'a')", Long.class)).isPositive();
		assertThat(admin.queryForObject("SELECT pgque.subscribe('admins', 'a')", Integer.class)).isEqualTo(1);
		assertThat(admin.queryForList("SELECT component FROM pgque.status()")).isNotEmpty();
		// only the owner creates in pgque: the definer functions search it before
		// pg_catalog
		SqlErrors.denied(() -> admin
			.execute("CREATE FUNCTION pgque.admin_made(text) RETURNS integer LANGUAGE sql AS 'SELECT 0'"));
		assertThat(admin.queryForObject("SELECT pgque.drop_queue('admins', true)", Integer.class)).isEqualTo(1);
		SqlErrors.denied(() -> admin.queryForList("SELECT pgque.uninstall()"));
		SqlErrors.denied(() -> admin.queryForList("SELECT pgque.insert_event_bulk('roles', 't', ARRAY['x'], NULL)"));
	}

	@Test
	void loginWithoutPgqueRoleCanDoNothing() {
		JdbcTemplate nobody = as(NOBODY);
		for (String sql : List.of("SELECT pgque.version()", "SELECT pgque.send('roles', 'x')",
				"SELECT * FROM pgque.receive('roles', 'x')", "SELECT count(*) FROM pgque.queue",
				"SELECT count(*) FROM pgque.event_template", "SELECT count(*) FROM pgque.pgque_databasechangelog")) {
			SqlErrors.denied(() -> nobody.queryForList(sql));
		}
	}

	@Test
	void publicCanExecuteNoRoutine() {
		List<String> executable = db.jdbc()
			.queryForList("SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'pgque'::regnamespace"
					+ " AND (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a"
					+ " WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'))", String.class);
		assertThat(executable).isEmpty();
		assertThat(db.jdbc()
			.queryForObject("SELECT count(*) FROM pg_proc WHERE pronamespace = 'pgque'::regnamespace", Integer.class))
			.isGreaterThan(40);
	}

	@Test
	void publicHasNoTablePrivilegeAndChangelogTablesAreOwnerOnly() {
		List<String> publicTables = db.jdbc()
			.queryForList("SELECT c.oid::regclass::text FROM pg_class c CROSS JOIN aclexplode(c.relacl) a"
					+ " WHERE c.relnamespace = 'pgque'::regnamespace AND c.relkind IN ('r', 'p', 'v') AND a.grantee = 0",
					String.class);
		assertThat(publicTables).isEmpty();
		List<String> changelogGrantees = db.jdbc()
			.queryForList(
					"SELECT DISTINCT a.grantee::regrole::text FROM pg_class c CROSS JOIN aclexplode(c.relacl) a"
							+ " WHERE c.oid IN ('pgque.pgque_databasechangelog'::regclass,"
							+ " 'pgque.pgque_databasechangeloglock'::regclass) AND a.grantee <> c.relowner",
					String.class);
		assertThat(changelogGrantees).isEmpty();
		assertThat(db.jdbc()
			.queryForObject(
					"SELECT has_table_privilege('pgque_reader', 'pgque.event_template', 'SELECT')"
							+ " AND has_table_privilege('pgque_reader', 'pgque.dead_letter', 'SELECT')"
							+ " AND has_table_privilege('pgque_reader', 'pgque.config', 'SELECT')"
							+ " AND NOT has_table_privilege('pgque_writer', 'pgque.event_template', 'SELECT')",
					Boolean.class))
			.isTrue();
	}

	@Test
	void roleSplitMatchesTheContract() {
		List<String> writerHasConsumerFunction = db.jdbc()
			.queryForList("SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'pgque'::regnamespace"
					+ " AND p.proname IN ('ack', 'finish_batch', 'receive', 'next_batch', 'next_batch_info',"
					+ " 'next_batch_custom', 'get_batch_events', 'register_consumer', 'register_consumer_at',"
					+ " 'unregister_consumer', 'event_retry', 'nack', 'subscribe')"
					+ " AND has_function_privilege('pgque_writer', p.oid, 'EXECUTE')", String.class);
		assertThat(writerHasConsumerFunction).isEmpty();
		assertThat(privileged("get_batch_cursor", "pgque_reader", "pgque_writer")).isEmpty();
		assertThat(privileged("insert_event_bulk", "pgque_reader", "pgque_writer", "pgque_admin")).isEmpty();
		assertThat(privileged("uninstall", "pgque_reader", "pgque_writer", "pgque_admin")).isEmpty();
		assertThat(privileged("send", "pgque_reader")).isEmpty();
		// 2 and 3 arguments (text, jsonb), and the two with a partition key
		assertThat(privileged("send", "pgque_writer")).hasSize(6);
		assertThat(privileged("send_batch", "pgque_admin")).hasSize(6);
		assertThat(db.jdbc()
			.queryForList("SELECT r.rolname || '>' || m.rolname FROM pg_auth_members am"
					+ " JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member"
					+ " WHERE r.rolname IN ('pgque_reader', 'pgque_writer')"
					+ " AND m.rolname IN ('pgque_reader', 'pgque_writer', 'pgque_admin')", String.class))
			.containsExactlyInAnyOrder("pgque_reader>pgque_admin", "pgque_writer>pgque_admin");
		assertThat(db.jdbc()
			.queryForObject("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'pgque_admin'", Boolean.class)).isFalse();
	}

	@Test
	void internalFunctionsAreOwnerOnly() {
		// a leading underscore on a SECURITY DEFINER function marks a helper only its
		// callers may use (_grant_perms_from runs with its caller's rights: admin keeps
		// it)
		List<String> granted = db.jdbc()
			.queryForList("SELECT p.oid::regprocedure::text || ' ' || r FROM pg_proc p"
					+ " CROSS JOIN unnest(ARRAY['pgque_reader', 'pgque_writer', 'pgque_admin']) r"
					+ " WHERE p.pronamespace = 'pgque'::regnamespace AND p.proname LIKE '\\_%'"
					+ " AND p.prosecdef AND has_function_privilege(r, p.oid, 'EXECUTE')", String.class);
		assertThat(granted).isEmpty();
		assertThat(db.jdbc()
			.queryForList("SELECT proname::text FROM pg_proc WHERE pronamespace = 'pgque'::regnamespace", String.class))
			.contains("_batch_messages", "_refuse_slot_batch", "_retry_batch_events", "_retry_time", "_slot_guard");
	}

	@Test
	void everySecurityDefinerFunctionPinsSearchPath() {
		List<String> unpinned = db.jdbc()
			.queryForList("SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'pgque'::regnamespace"
					+ " AND p.prosecdef AND NOT coalesce('search_path=pgque, pg_catalog, pg_temp' = ANY (p.proconfig), false)",
					String.class);
		assertThat(unpinned).isEmpty();
		assertThat(db.jdbc()
			.queryForObject("SELECT count(*) FROM pg_proc WHERE pronamespace = 'pgque'::regnamespace AND prosecdef",
					Integer.class))
			.isGreaterThan(20);
	}

	private List<String> privileged(String function, String... roles) {
		return db.jdbc()
			.queryForList("SELECT p.oid::regprocedure::text || ' ' || r FROM pg_proc p CROSS JOIN unnest(?::text[]) r"
					+ " WHERE p.pronamespace = 'pgque'::regnamespace AND p.proname = ?"
					+ " AND has_function_privilege(r, p.oid, 'EXECUTE')", String.class, roles, function);
	}

}
