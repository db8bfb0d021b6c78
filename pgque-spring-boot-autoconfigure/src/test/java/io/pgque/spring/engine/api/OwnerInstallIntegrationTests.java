package io.pgque.spring.engine.api;

import java.util.Locale;

import io.pgque.spring.schema.PgqueChangelogs;
import io.pgque.spring.schema.PgqueLiquibaseRunner;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The usual production set-up: the application's login owns its database but is neither
 * superuser nor allowed to create roles, and the pgque roles already exist on the server.
 * Installing and re-installing must work, with the grants in place.
 */
class OwnerInstallIntegrationTests {

	private static final String OWNER = "pgque_t_owner_" + ProcessHandle.current().pid() + "_"
			+ Long.toString(System.nanoTime(), 36).toLowerCase(Locale.ROOT);

	@RegisterExtension
	static final PgqueTestDatabase installed = PgqueTestDatabase.withEngine();

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.empty();

	@BeforeAll
	static void createOwner() {
		db.jdbc().execute("CREATE ROLE " + OWNER + " LOGIN NOSUPERUSER NOCREATEROLE PASSWORD 'owner-secret'");
		db.jdbc().execute("ALTER DATABASE " + db.name() + " OWNER TO " + OWNER);
	}

	@AfterAll
	static void dropOwner() {
		// The database is dropped after this class; its objects go with it.
		db.jdbc().execute("REASSIGN OWNED BY " + OWNER + " TO CURRENT_USER");
		db.jdbc().execute("DROP OWNED BY " + OWNER);
		db.jdbc().execute("ALTER DATABASE " + db.name() + " OWNER TO CURRENT_USER");
		db.jdbc().execute("DROP ROLE " + OWNER);
	}

	@Test
	void ownerWithoutCreateRoleInstallsTwice() {
		DriverManagerDataSource dataSource = new DriverManagerDataSource(db.jdbcUrl(), OWNER, "owner-secret");
		new PgqueLiquibaseRunner(dataSource).update(PgqueChangelogs.ENGINE);
		new PgqueLiquibaseRunner(dataSource).update(PgqueChangelogs.ENGINE);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		assertThat(jdbc.queryForObject("SELECT pgque.create_queue('owned')", Integer.class)).isEqualTo(1);
		assertThat(jdbc.queryForObject("SELECT pgque.send('owned', 'x')", Long.class)).isPositive();
		assertThat(jdbc.queryForObject(
				"SELECT has_function_privilege('pgque_writer', 'pgque.send(text, text)',"
						+ " 'EXECUTE') AND has_function_privilege('pgque_reader', 'pgque.receive(text, text, integer)',"
						+ " 'EXECUTE') AND NOT has_function_privilege('public', 'pgque.send(text, text)', 'EXECUTE')",
				Boolean.class))
			.isTrue();
	}

}
