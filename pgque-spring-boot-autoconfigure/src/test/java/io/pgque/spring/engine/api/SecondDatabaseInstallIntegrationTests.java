package io.pgque.spring.engine.api;

import io.pgque.spring.schema.PgqueChangelogs;
import io.pgque.spring.schema.PgqueLiquibaseRunner;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Roles are cluster-wide: installing into a second database on a server where another
 * database already created them must work, and so must re-installing and uninstalling.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecondDatabaseInstallIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase first = PgqueTestDatabase.withEngine();

	@RegisterExtension
	static final PgqueTestDatabase second = PgqueTestDatabase.empty();

	@Test
	@Order(1)
	void installIntoSecondDatabaseWhereRolesExist() {
		assertThat(first.jdbc()
			.queryForObject("SELECT count(*) FROM pg_roles WHERE rolname IN"
					+ " ('pgque_reader', 'pgque_writer', 'pgque_admin')", Integer.class))
			.isEqualTo(3);
		new PgqueLiquibaseRunner(second.dataSource()).update(PgqueChangelogs.ENGINE);
		JdbcTemplate jdbc = second.jdbc();
		assertThat(jdbc.queryForObject("SELECT pgque.version()", String.class)).isEqualTo("0.2.0");
		assertThat(jdbc.queryForObject("SELECT has_function_privilege('pgque_writer', 'pgque.send(text, text)',"
				+ " 'EXECUTE') AND has_function_privilege('pgque_reader', 'pgque.receive(text, text, integer)',"
				+ " 'EXECUTE') AND NOT has_function_privilege('pgque_writer', 'pgque.receive(text, text, integer)',"
				+ " 'EXECUTE')", Boolean.class))
			.isTrue();
	}

	@Test
	@Order(2)
	void reinstallAfterDeletingTheMarkerRevokesLeftoverWriterInReaderMembership() {
		JdbcTemplate jdbc = second.jdbc();
		jdbc.execute("GRANT pgque_reader TO pgque_writer");
		// an engine at this version is left alone, grants included
		new PgqueLiquibaseRunner(second.dataSource()).update(PgqueChangelogs.ENGINE);
		assertThat(jdbc.queryForObject("SELECT pg_has_role('pgque_writer', 'pgque_reader', 'MEMBER')", Boolean.class))
			.isTrue();
		// deleting the marker makes the next install run the changelog, grants repaired
		jdbc.update("DELETE FROM pgque.pgque_engine_marker");
		new PgqueLiquibaseRunner(second.dataSource()).update(PgqueChangelogs.ENGINE);
		assertThat(jdbc.queryForObject("SELECT pg_has_role('pgque_writer', 'pgque_reader', 'MEMBER')", Boolean.class))
			.isFalse();
		assertThat(jdbc.queryForObject("SELECT count(*) FROM pg_auth_members WHERE member = 'pgque_admin'::regrole",
				Integer.class))
			.isEqualTo(2);
	}

	@Test
	@Order(3)
	void uninstallRemovesSchemaButKeepsRolesAndAllowsReinstall() {
		JdbcTemplate jdbc = second.jdbc();
		jdbc.queryForObject("SELECT pgque.create_queue('doomed')", Integer.class);
		jdbc.execute("SELECT pgque.uninstall()");
		assertThat(jdbc.queryForObject("SELECT to_regnamespace('pgque') IS NULL", Boolean.class)).isTrue();
		assertThat(jdbc.queryForObject("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'pgque\\_%'"
				+ " AND rolname IN ('pgque_reader', 'pgque_writer', 'pgque_admin')", Integer.class))
			.isEqualTo(3);
		// The first database is untouched.
		assertThat(first.jdbc().queryForObject("SELECT pgque.version()", String.class)).isEqualTo("0.2.0");
		new PgqueLiquibaseRunner(second.dataSource()).update(PgqueChangelogs.ENGINE);
		assertThat(jdbc.queryForObject("SELECT count(*) FROM pgque.queue", Integer.class)).isZero();
	}

}
