package io.pgque.spring.core;

import io.pgque.spring.convert.PgqueTextPayloadConverter;
import io.pgque.spring.convert.PgqueTypeMapper;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A call the database user lacks the engine role for fails with a
 * {@link PgquePermissionDeniedException} naming the role to grant, not a bad-grammar
 * exception.
 */
class PgquePermissionDeniedIntegrationTests {

	private static final String USER = "pgque_nobody";

	private static final String PASSWORD = "nobody";

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	@BeforeAll
	static void createUserWithoutEngineRoles() {
		db.jdbc().execute("DROP ROLE IF EXISTS " + USER);
		db.jdbc().execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
		db.jdbc().queryForObject("SELECT pgque.create_queue('perm')", Object.class);
		db.jdbc().queryForObject("SELECT pgque.subscribe('perm', 'c')", Object.class);
	}

	@AfterAll
	static void dropUser() {
		db.jdbc().execute("DROP OWNED BY " + USER);
		db.jdbc().execute("DROP ROLE IF EXISTS " + USER);
	}

	private final PgqueTemplate template = new PgqueTemplate(new DriverManagerDataSource(db.jdbcUrl(), USER, PASSWORD),
			new PgqueTextPayloadConverter(PgqueTypeMapper.simpleNames()));

	@Test
	void sendWithoutWriterRoleNamesPgqueWriter() {
		assertThatExceptionOfType(PgquePermissionDeniedException.class)
			.isThrownBy(() -> this.template.send("perm", "hello"))
			.withMessageContaining("pgque_writer")
			.satisfies((ex) -> assertThat(ex.getRequiredRole()).isEqualTo("pgque_writer"));
	}

	@Test
	void receiveWithoutReaderRoleNamesPgqueReader() {
		assertThatExceptionOfType(PgquePermissionDeniedException.class)
			.isThrownBy(() -> this.template.receive("perm", "c", 10))
			.withMessageContaining("pgque_reader");
	}

	@Test
	void createQueueWithoutAdminRoleNamesPgqueAdmin() {
		assertThatExceptionOfType(PgquePermissionDeniedException.class)
			.isThrownBy(() -> this.template.createQueue("perm2"))
			.withMessageContaining("pgque_admin");
	}

}
