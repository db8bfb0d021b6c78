package io.pgque.spring.schema;

import io.pgque.spring.autoconfigure.PgqueAutoConfiguration;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine is applied at start-up next to, never instead of, the application's own
 * Liquibase migrations.
 */
class PgqueSchemaInitializerIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.empty();

	// never installed into: for the modes that must not install
	@RegisterExtension
	static final PgqueTestDatabase untouched = PgqueTestDatabase.empty();

	@RegisterExtension
	static final PgqueTestDatabase installed = PgqueTestDatabase.withEngine();

	private final ApplicationContextRunner contextRunner = runner(db)
		.withPropertyValues("spring.liquibase.change-log=classpath:db/changelog/db.changelog-master.xml");

	private static ApplicationContextRunner runner(PgqueTestDatabase database) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					LiquibaseAutoConfiguration.class, PgqueAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(),
					"spring.datasource.username=" + database.user(),
					"spring.datasource.password=" + database.password());
	}

	@Test
	void runWhenApplicationHasItsOwnLiquibaseChangelogShouldApplyBoth() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(PgqueSchemaInitializer.class);
			JdbcTemplate jdbc = db.jdbc();
			assertThat(jdbc.queryForObject("SELECT to_regclass('public.app_orders') IS NOT NULL", Boolean.class))
				.isTrue();
			assertThat(jdbc.queryForObject("SELECT count(*) FROM public.databasechangelog", Integer.class))
				.isEqualTo(1);
			assertThat(jdbc.queryForObject("SELECT to_regclass('pgque.pgque_databasechangelog') IS NOT NULL",
					Boolean.class))
				.isTrue();
		});
	}

	@Test
	void runWhenModeIsNoneShouldLeaveTheDatabaseAlone() {
		runner(untouched).withPropertyValues("spring.liquibase.enabled=false", "pgque.schema.mode=none")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(pgqueSchemaExists(untouched)).isFalse();
	}

	@Test
	void runWhenModeIsValidateAndTheEngineIsMissingShouldFailAndInstallNothing() {
		runner(untouched).withPropertyValues("spring.liquibase.enabled=false", "pgque.schema.mode=validate")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("pgque.schema.mode=validate")
				.hasMessageContaining("not installed"));
		assertThat(pgqueSchemaExists(untouched)).isFalse();
	}

	@Test
	void runWhenModeIsValidateAndTheEngineIsInstalledShouldStart() {
		runner(installed).withPropertyValues("spring.liquibase.enabled=false", "pgque.schema.mode=validate")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	private static boolean pgqueSchemaExists(PgqueTestDatabase database) {
		return Boolean.TRUE
			.equals(database.jdbc().queryForObject("SELECT to_regnamespace('pgque') IS NOT NULL", Boolean.class));
	}

}
