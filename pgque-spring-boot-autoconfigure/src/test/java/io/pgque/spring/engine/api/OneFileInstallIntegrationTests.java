package io.pgque.spring.engine.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine as one file ({@code io/pgque/db/pgque.sql}, written by the build from the
 * changelog): installed into one database in one transaction, as {@code psql -1 -f} does,
 * it gives the same catalog as the Liquibase install in another (functions with their
 * bodies' hashes, settings and grants; tables, columns, defaults, constraints, indexes
 * and grants; the schema's grants); running it again changes no data; the uninstall
 * script removes it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OneFileInstallIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase liquibase = PgqueTestDatabase.withEngine();

	@RegisterExtension
	static final PgqueTestDatabase file = PgqueTestDatabase.empty();

	// Liquibase's bookkeeping and the starter's marker are not part of the engine.
	private static final String ENGINE_RELATIONS = "c.relnamespace = 'pgque'::regnamespace AND c.relname NOT IN"
			+ " ('pgque_databasechangelog', 'pgque_databasechangeloglock', 'pgque_databasechangeloglock_pkey',"
			+ " 'pgque_engine_marker', 'pgque_engine_marker_pkey')";

	private static final String ACL = "(SELECT string_agg(g, ',' ORDER BY g) FROM (SELECT coalesce(nullif(a.grantee,"
			+ " 0)::regrole::text, 'PUBLIC') || ':' || a.privilege_type AS g FROM aclexplode(%s) a) a)";

	private static final String CATALOG = "SELECT 'function ' || p.oid::regprocedure || ' -> '"
			+ " || pg_get_function_result(p.oid) || ' md5=' || md5(p.prosrc) || ' kind=' || p.prokind::text || ' sd='"
			+ " || p.prosecdef || ' vol=' || p.provolatile::text || ' strict=' || p.proisstrict || ' config='"
			+ " || coalesce(p.proconfig::text, '-') || ' owner=' || p.proowner::regrole || ' acl=' || coalesce("
			+ ACL.formatted("p.proacl") + ", '-') FROM pg_proc p WHERE p.pronamespace = 'pgque'::regnamespace"
			+ " UNION ALL SELECT 'relation ' || c.relname || ' kind=' || c.relkind::text || ' options='"
			+ " || coalesce(c.reloptions::text, '-') || ' acl=' || coalesce(" + ACL.formatted("c.relacl")
			+ ", '-') FROM pg_class c WHERE " + ENGINE_RELATIONS
			+ " UNION ALL SELECT 'column ' || c.relname || '.' || a.attname || ' #' || a.attnum || ' '"
			+ " || format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull || ' default='"
			+ " || coalesce(pg_get_expr(d.adbin, d.adrelid), '-') FROM pg_class c JOIN pg_attribute a ON"
			+ " a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped LEFT JOIN pg_attrdef d ON"
			+ " d.adrelid = c.oid AND d.adnum = a.attnum WHERE " + ENGINE_RELATIONS
			+ " UNION ALL SELECT 'constraint ' || c.relname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid)"
			+ " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE " + ENGINE_RELATIONS
			+ " UNION ALL SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON"
			+ " c.oid = i.indrelid WHERE " + ENGINE_RELATIONS
			+ " UNION ALL SELECT 'type ' || t.typname || ' ' || t.typtype::text FROM pg_type t WHERE t.typnamespace ="
			+ " 'pgque'::regnamespace AND t.typtype <> 'b' AND t.typrelid NOT IN (SELECT c.oid FROM pg_class c"
			+ " WHERE NOT (" + ENGINE_RELATIONS + "))" + " UNION ALL SELECT 'schema acl=' || "
			+ ACL.formatted("n.nspacl") + " FROM pg_namespace n WHERE n.nspname = 'pgque'"
			+ " UNION ALL SELECT 'config ' || tick_period_ms || ' ' || coalesce(scheduler, '-') FROM pgque.config"
			+ " ORDER BY 1";

	@Test
	@Order(1)
	void theFileAndLiquibaseGiveTheSameCatalog() throws Exception {
		apply(file, "io/pgque/db/pgque.sql");
		List<String> viaLiquibase = catalog(liquibase.jdbc());
		assertThat(viaLiquibase).hasSizeGreaterThan(250);
		assertThat(catalog(file.jdbc())).containsExactlyElementsOf(viaLiquibase);
	}

	@Test
	@Order(2)
	void runningTheFileAgainChangesNoData() throws Exception {
		ApiSql api = new ApiSql(file.jdbc());
		api.createQueue("again");
		api.subscribe("again", "worker");
		api.send("again", "kept");
		api.tick("again");
		String before = data(file.jdbc());

		apply(file, "io/pgque/db/pgque.sql");

		assertThat(data(file.jdbc())).isEqualTo(before);
		assertThat(api.receive("again", "worker")).extracting(ApiSql.Message::payload).containsExactly("kept");
	}

	@Test
	@Order(3)
	void theUninstallScriptRemovesTheEngine() throws Exception {
		apply(file, "io/pgque/db/pgque_uninstall.sql");
		assertThat(file.jdbc().queryForObject("SELECT to_regnamespace('pgque') IS NULL", Boolean.class)).isTrue();
		apply(file, "io/pgque/db/pgque_uninstall.sql");
	}

	private static List<String> catalog(JdbcTemplate jdbc) {
		return jdbc.queryForList(CATALOG, String.class);
	}

	private static String data(JdbcTemplate jdbc) {
		return jdbc.queryForObject("SELECT (SELECT json_agg(q ORDER BY queue_id) FROM pgque.queue q)::text"
				+ " || (SELECT json_agg(s ORDER BY sub_id) FROM pgque.subscription s)::text"
				+ " || (SELECT json_agg(t ORDER BY tick_id) FROM pgque.tick t)::text"
				+ " || (SELECT json_agg(e ORDER BY ev_id) FROM pgque.event_template e)::text"
				+ " || (SELECT json_agg(c) FROM pgque.config c)::text", String.class);
	}

	// As psql -1 -f: the whole file, one transaction.
	static void apply(PgqueTestDatabase db, String location) throws Exception {
		try (Connection connection = db.newConnection(); Statement statement = connection.createStatement()) {
			connection.setAutoCommit(false);
			statement.execute(read(location));
			connection.commit();
		}
	}

	private static String read(String location) throws IOException {
		try (InputStream in = OneFileInstallIntegrationTests.class.getClassLoader().getResourceAsStream(location)) {
			assertThat(in).as(location + " (written by the build)").isNotNull();
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

}
