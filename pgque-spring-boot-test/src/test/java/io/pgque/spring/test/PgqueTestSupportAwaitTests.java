package io.pgque.spring.test;

import io.pgque.spring.core.PgqueTemplate;
import io.pgque.spring.test.app.GreetingsApplication;
import io.pgque.spring.test.app.GreetingsApplication.Greeter;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PgqueTestSupport#awaitCaughtUp} and {@link PgqueTestSupport#awaitHandled}: the
 * test asserts right after the wait, with no sleeping of its own.
 */
@SpringBootTest(classes = GreetingsApplication.class)
@PgqueTest
@PgqueTestDatabase
class PgqueTestSupportAwaitTests {

	@Autowired
	private PgqueTestSupport support;

	@Autowired
	private PgqueTemplate pgque;

	@Autowired
	private Greeter greeter;

	@Test
	void awaitCaughtUpReturnsOnceTheConsumerHasHandledWhatWasSent() {
		this.pgque.send("greetings", "hello");
		this.pgque.send("greetings", "hi");
		this.support.awaitCaughtUp("greetings", "greeter");
		assertThat(this.greeter.greeted()).contains("hello", "hi");
	}

	@Test
	void awaitHandledReturnsOnceTheListenerHasHandledThatManyEvents() {
		long before = this.support.handled("archive");
		for (int i = 0; i < 5; i++) {
			this.pgque.send("greetings", "hey " + i);
		}
		this.support.awaitHandled("archive", before + 5);
		assertThat(this.support.handled("archive")).isGreaterThanOrEqualTo(before + 5);
	}

}
