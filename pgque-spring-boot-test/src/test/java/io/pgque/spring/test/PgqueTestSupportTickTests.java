package io.pgque.spring.test;

import io.pgque.spring.core.PgqueBatch;
import io.pgque.spring.core.PgqueTemplate;
import io.pgque.spring.test.app.GreetingsApplication;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PgqueTestSupport#tick(String)}: an event sent is ready to receive right after
 * the tick, with no ticker running.
 */
@SpringBootTest(classes = GreetingsApplication.class, properties = "pgque.ticker.mode=none")
@PgqueTest
@PgqueTestDatabase
class PgqueTestSupportTickTests {

	@Autowired
	private PgqueTestSupport support;

	@Autowired
	private PgqueTemplate pgque;

	@Test
	void tickMakesWhatWasSentReceivable() {
		this.pgque.subscribe("greetings", "reader");
		this.support.tick("greetings");
		this.pgque.send("greetings", "hello");
		assertThat(this.pgque.receive("greetings", "reader", 10)).isEmpty();
		this.support.tick("greetings");
		PgqueBatch batch = this.pgque.receive("greetings", "reader", 10).orElseThrow();
		assertThat(batch.messages()).hasSize(1);
	}

}
