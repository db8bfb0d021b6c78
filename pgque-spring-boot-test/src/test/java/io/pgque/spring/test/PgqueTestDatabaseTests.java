package io.pgque.spring.test;

import io.pgque.spring.core.PgqueTemplate;
import io.pgque.spring.test.app.GreetingsApplication;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PgqueTestDatabase}: the application starts on a real PostgreSQL with the engine
 * installed, with no datasource configured by the test.
 */
@SpringBootTest(classes = GreetingsApplication.class)
@PgqueTestDatabase
class PgqueTestDatabaseTests {

	@Autowired
	private PgqueTemplate pgque;

	@Test
	void applicationRunsOnARealPostgresWithTheEngineInstalled() {
		assertThat(this.pgque.version()).isNotBlank();
		assertThat(this.pgque.queueExists("greetings")).isTrue();
	}

}
