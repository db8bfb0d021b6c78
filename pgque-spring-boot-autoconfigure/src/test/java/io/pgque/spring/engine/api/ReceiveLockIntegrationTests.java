package io.pgque.spring.engine.api;

import java.util.concurrent.atomic.AtomicInteger;

import io.pgque.spring.engine.api.ApiSql.Message;
import io.pgque.spring.engine.api.TwoSessionReceive.Outcome;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The receive lock, through {@code pgque.receive} itself: two sessions receiving for one
 * consumer never get different batches over the same events, and the second never fails.
 */
class ReceiveLockIntegrationTests {

	private static final AtomicInteger counter = new AtomicInteger();

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApiSql api = new ApiSql(db.jdbc());

	private String queue() {
		String queue = "lock" + counter.incrementAndGet();
		this.api.createQueue(queue);
		this.api.subscribe(queue, "worker");
		return queue;
	}

	@Test
	void secondSessionWaitsAndGetsTheSameOpenBatch() throws Exception {
		String queue = queue();
		this.api.send(queue, "a");
		this.api.send(queue, "b");
		this.api.tick(queue);
		Outcome outcome = TwoSessionReceive.run(db, queue, "worker", false);
		assertThat(outcome.first()).extracting(Message::payload).containsExactly("a", "b");
		assertThat(outcome.secondBlocked()).isTrue();
		assertThat(outcome.secondError()).isNull();
		assertThat(outcome.second()).isEqualTo(outcome.first());
	}

	@Test
	void afterAckInFirstSessionSecondGetsNextBatch() throws Exception {
		String queue = queue();
		this.api.send(queue, "a");
		this.api.tick(queue);
		this.api.send(queue, "b");
		this.api.tick(queue);
		Outcome outcome = TwoSessionReceive.run(db, queue, "worker", true);
		assertThat(outcome.first()).extracting(Message::payload).containsExactly("a");
		assertThat(outcome.secondBlocked()).isTrue();
		assertThat(outcome.secondError()).isNull();
		assertThat(outcome.second()).extracting(Message::payload).containsExactly("b");
		assertThat(outcome.second().get(0).batchId()).isNotEqualTo(outcome.firstBatch());
	}

	@Test
	void afterAckInFirstSessionSecondGetsNothingWhenNothingIsLeft() throws Exception {
		String queue = queue();
		this.api.send(queue, "a");
		this.api.tick(queue);
		Outcome outcome = TwoSessionReceive.run(db, queue, "worker", true);
		assertThat(outcome.first()).hasSize(1);
		assertThat(outcome.secondBlocked()).isTrue();
		assertThat(outcome.secondError()).isNull();
		assertThat(outcome.second()).isEmpty();
	}

	@Test
	void afterEmptyWindowAutoFinishSecondSessionDoesNotFail() throws Exception {
		String queue = queue();
		this.api.tick(queue);
		this.api.tick(queue);
		Outcome outcome = TwoSessionReceive.run(db, queue, "worker", false);
		assertThat(outcome.first()).isEmpty();
		assertThat(outcome.secondBlocked()).isTrue();
		assertThat(outcome.secondError()).isNull();
		assertThat(outcome.second()).isEmpty();
	}

}
