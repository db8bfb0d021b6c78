package io.pgque.spring.autoconfigure;

import io.pgque.spring.PgqueException;
import io.pgque.spring.core.PgqueTemplate;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code pgque.limits.*} reach the engine when the starter installs it, and a send over a
 * limit fails with an error naming the limit; a size the engine cannot hold fails at
 * start-up naming its property.
 */
class PgqueEngineLimitsIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgqueAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=" + db.jdbcUrl(), "spring.datasource.username=" + db.user(),
				"spring.datasource.password=" + db.password());

	@AfterEach
	void restoreDefaults() {
		db.jdbc().queryForObject("SELECT pgque.set_limits(1048576, 255)::text", String.class);
	}

	@Test
	void runWithLimitsShouldSetThemInTheEngineAndRefuseLargerEvents() {
		this.contextRunner
			.withPropertyValues("pgque.limits.max-payload-size=1KB", "pgque.limits.max-type-name-size=20B")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(db.jdbc()
					.queryForObject("SELECT pgque.max_payload_bytes() || '/' || pgque.max_type_bytes()", String.class))
					.isEqualTo("1024/20");
				PgqueTemplate template = context.getBean(PgqueTemplate.class);
				template.createQueue("limited");
				template.send("limited", "x".repeat(1024));
				assertThatExceptionOfType(PgqueException.class)
					.isThrownBy(() -> template.send("limited", "x".repeat(1025)))
					.withMessageContaining("the payload is 1025 bytes, over the limit max_payload_bytes = 1024 bytes");
				assertThatExceptionOfType(PgqueException.class)
					.isThrownBy(() -> template.send("limited", "t".repeat(21), "{}"))
					.withMessageContaining("the type name is 21 bytes, over the limit max_type_bytes = 20 bytes");
			});
	}

	@Test
	void runWithDefaultLimitsShouldKeepTheEngineDefaults() {
		this.contextRunner.run((context) -> assertThat(db.jdbc()
			.queryForObject("SELECT pgque.max_payload_bytes() || '/' || pgque.max_type_bytes()", String.class))
			.isEqualTo("1048576/255"));
	}

	@Test
	void runWithZeroPayloadSizeShouldFailNamingTheProperty() {
		this.contextRunner.withPropertyValues("pgque.limits.max-payload-size=0B")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("pgque.limits.max-payload-size must be between 1B and 2147483647B, was 0B"));
	}

}
