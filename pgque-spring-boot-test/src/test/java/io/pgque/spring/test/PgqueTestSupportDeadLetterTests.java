package io.pgque.spring.test;

import java.util.List;

import io.pgque.spring.core.PgqueDeadLetter;
import io.pgque.spring.core.PgqueTemplate;
import io.pgque.spring.test.app.GreetingsApplication;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PgqueTestSupport#awaitDeadLetters} and {@link PgqueTestSupport#deadLetters}: an
 * event the listener keeps rejecting ends in the dead letters within seconds under
 * {@link PgqueTest}.
 */
@SpringBootTest(classes = GreetingsApplication.class)
@PgqueTest
@PgqueTestDatabase
class PgqueTestSupportDeadLetterTests {

	@Autowired
	private PgqueTestSupport support;

	@Autowired
	private PgqueTemplate pgque;

	@Test
	void rejectedEventEndsInTheDeadLetters() {
		assertThat(this.support.deadLetters("greetings")).isEmpty();
		this.pgque.send("greetings", "boom");
		List<PgqueDeadLetter> deadLetters = this.support.awaitDeadLetters("greetings", 1);
		assertThat(deadLetters).singleElement().satisfies((deadLetter) -> {
			assertThat(deadLetter.consumer()).isEqualTo("greeter");
			assertThat(deadLetter.payload()).contains("boom");
		});
	}

}
