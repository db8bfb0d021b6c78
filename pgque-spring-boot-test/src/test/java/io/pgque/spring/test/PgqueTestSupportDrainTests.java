package io.pgque.spring.test;

import io.pgque.spring.core.PgqueTemplate;
import io.pgque.spring.test.app.GreetingsApplication;
import io.pgque.spring.test.app.GreetingsApplication.Greeter;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PgqueTestSupport#drain()}: afterwards every consumer has caught up and the
 * rejected event has left the retry queue for the dead letters.
 */
@SpringBootTest(classes = GreetingsApplication.class)
@PgqueTest
@PgqueTestDatabase
class PgqueTestSupportDrainTests {

	@Autowired
	private PgqueTestSupport support;

	@Autowired
	private PgqueTemplate pgque;

	@Autowired
	private Greeter greeter;

	@Test
	void drainWaitsForEveryConsumerAndEveryRetry() {
		// the test classes share one cached context (and database): count what this test
		// adds
		int deadLettersBefore = this.support.deadLetters("greetings").size();
		this.pgque.send("greetings", "hello");
		this.pgque.send("greetings", "boom");
		this.support.drain();
		assertThat(this.greeter.greeted()).contains("hello");
		assertThat(this.support.deadLetters("greetings")).hasSize(deadLettersBefore + 1);
		assertThat(this.pgque.getConsumerInfo("greetings", "archive").orElseThrow().currentBatch()).isNull();
	}

}
