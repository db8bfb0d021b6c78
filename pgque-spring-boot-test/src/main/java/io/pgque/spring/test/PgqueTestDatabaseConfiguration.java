package io.pgque.spring.test;

import io.pgque.spring.test.postgres.PgqueEmbeddedPostgres;
import org.testcontainers.postgresql.PostgreSQLContainer;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * What {@link PgqueTestDatabase} imports: one of two ways to a real PostgreSQL, both
 * ending in Boot's {@link JdbcConnectionDetails} so the application's own DataSource
 * auto-configuration connects to it.
 */
@TestConfiguration(proxyBeanMethods = false)
class PgqueTestDatabaseConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "org.testcontainers.postgresql.PostgreSQLContainer",
			"org.springframework.boot.testcontainers.service.connection.ServiceConnection" })
	@Conditional(DockerAvailableCondition.class)
	static class Container {

		@Bean
		@ServiceConnection
		PostgreSQLContainer pgqueTestPostgresContainer() {
			return new PostgreSQLContainer("postgres:" + PgqueEmbeddedPostgres.majorVersion());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Conditional(DockerAvailableCondition.Absent.class)
	static class Embedded {

		@Bean(destroyMethod = "drop")
		PgqueEmbeddedPostgres.Database pgqueTestEmbeddedDatabase() {
			return PgqueEmbeddedPostgres.get().createDatabase();
		}

		@Bean
		JdbcConnectionDetails pgqueTestConnectionDetails(PgqueEmbeddedPostgres.Database database) {
			return new JdbcConnectionDetails() {

				@Override
				public String getUsername() {
					return database.user();
				}

				@Override
				public String getPassword() {
					return database.password();
				}

				@Override
				public String getJdbcUrl() {
					return database.jdbcUrl();
				}

			};
		}

	}

}
