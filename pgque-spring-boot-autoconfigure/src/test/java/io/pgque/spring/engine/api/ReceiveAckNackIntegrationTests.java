package io.pgque.spring.engine.api;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.pgque.spring.engine.api.ApiSql.Message;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The invariants of receive, ack and nack (contract §3.3, §4 items 13-27).
 */
class ReceiveAckNackIntegrationTests {

	// Event ids are per queue, so retry rows are looked up by queue too.
	private static final String OF_QUEUE = " AND ev_queue = (SELECT queue_id FROM pgque.queue WHERE queue_name = ?)";

	private static final AtomicInteger counter = new AtomicInteger();

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApiSql api = new ApiSql(db.jdbc());

	// A fresh queue with one subscriber for each test.
	private String queue() {
		String queue = "q" + counter.incrementAndGet();
		this.api.createQueue(queue);
		assertThat(this.api.subscribe(queue, "worker")).isEqualTo(1);
		assertThat(this.api.subscribe(queue, "worker")).isZero();
		return queue;
	}

	@Test
	void receiveTwiceWithoutAckReturnsSameBatchAndEvents() {
		String queue = queue();
		this.api.send(queue, "a");
		this.api.send(queue, "b");
		this.api.tick(queue);
		List<Message> first = this.api.receive(queue, "worker");
		List<Message> second = this.api.receive(queue, "worker");
		assertThat(first).hasSize(2).extracting(Message::payload).containsExactly("a", "b");
		assertThat(second).isEqualTo(first);
	}

	@Test
	void ackAdvancesAndRepeatAckReturnsZero() {
		String queue = queue();
		this.api.send(queue, "a");
		this.api.tick(queue);
		List<Message> batch = this.api.receive(queue, "worker");
		assertThat(batch).hasSize(1);
		assertThat(this.api.ack(batch.get(0).batchId())).isEqualTo(1);
		assertThat(this.api.ack(batch.get(0).batchId())).isZero();
		assertThat(this.api.ack(987654321L)).isZero();
		assertThat(this.api.receive(queue, "worker")).isEmpty();

		this.api.send(queue, "b");
		this.api.tick(queue);
		List<Message> next = this.api.receive(queue, "worker");
		assertThat(next).extracting(Message::payload).containsExactly("b");
		assertThat(next.get(0).batchId()).isGreaterThan(batch.get(0).batchId());
	}

	@Test
	void receiveWithLimitReturnsThatManyAndAckFinishesWholeBatch() {
		String queue = queue();
		for (int i = 0; i < 5; i++) {
			this.api.send(queue, "m" + i);
		}
		this.api.tick(queue);
		List<Message> part = this.api.receive(queue, "worker", 2);
		assertThat(part).extracting(Message::payload).containsExactly("m0", "m1");
		this.api.ack(part.get(0).batchId());
		this.api.tick(queue);
		assertThat(this.api.receive(queue, "worker")).isEmpty();
	}

	@Test
	void emptyWindowIsFinishedAtOnce() {
		String queue = queue();
		this.api.tick(queue);
		assertThat(this.api.receive(queue, "worker")).isEmpty();
		assertThat(openBatch(queue)).isNull();
		this.api.send(queue, "later");
		this.api.tick(queue);
		assertThat(this.api.receive(queue, "worker")).extracting(Message::payload).containsExactly("later");
	}

	@Test
	void receiveWithMaxReturnBelowOneRaisesAndChangesNothing() {
		String queue = queue();
		this.api.send(queue, "a");
		this.api.tick(queue);
		assertThat(SqlErrors.raised(() -> this.api.receive(queue, "worker", 0))).contains("max_return must be >= 1");
		assertThat(openBatch(queue)).isNull();
		assertThat(this.api.receive(queue, "worker")).hasSize(1);
	}

	@Test
	void receiveForUnknownConsumerRaises() {
		String queue = queue();
		assertThat(SqlErrors.raised(() -> this.api.receive(queue, "stranger"))).contains("Not subscriber to queue");
	}

	@Test
	void nackBelowLimitRedeliversAfterRetryAfterOnceMovedAndTicked() {
		String queue = queue();
		this.api.subscribe(queue, "bystander");
		long id = this.api.send(queue, "retry-me");
		this.api.send(queue, "fine");
		this.api.tick(queue);
		List<Message> batch = this.api.receive(queue, "worker");
		Message first = batch.get(0);
		assertThat(first.msgId()).isEqualTo(id);
		assertThat(this.api.nack(first.batchId(), id, "0 seconds", "flaky")).isEqualTo(1);
		assertThat(this.api.deadLetterCount(queue)).isZero();
		Map<String, Object> retry = db.jdbc()
			.queryForMap("SELECT ev_retry, ev_txid, ev_owner, ev_retry_after - now() <= interval '1 second' AS due"
					+ " FROM pgque.retry_queue WHERE ev_id = ?" + OF_QUEUE, id, queue);
		assertThat(retry).containsEntry("ev_retry", 1).containsEntry("ev_txid", null).containsEntry("due", true);
		assertThat(this.api.ack(first.batchId())).isEqualTo(1);

		// Not before the retry has been moved back and a tick has seen it.
		this.api.tick(queue);
		assertThat(this.api.receive(queue, "worker")).isEmpty();
		assertThat(this.api.maintRetryEvents()).isEqualTo(1);
		this.api.tick(queue);
		List<Message> again = this.api.receive(queue, "worker");
		assertThat(again).hasSize(1);
		Message redelivered = again.get(0);
		assertThat(redelivered.msgId()).isEqualTo(id);
		assertThat(redelivered.createdAt()).isEqualTo(first.createdAt());
		assertThat(redelivered.retryCount()).isEqualTo(1);
		assertThat(redelivered.payload()).isEqualTo("retry-me");
		this.api.ack(redelivered.batchId());

		// Only the subscription that nacked gets it again.
		List<Message> bystander = new java.util.ArrayList<>();
		for (List<Message> round = this.api.receive(queue, "bystander"); !round.isEmpty(); round = this.api
			.receive(queue, "bystander")) {
			bystander.addAll(round);
			this.api.ack(round.get(0).batchId());
		}
		assertThat(bystander).extracting(Message::payload).containsExactly("retry-me", "fine");
	}

	@Test
	void nackWithRetryAfterInTheFutureIsNotMovedEarly() {
		String queue = queue();
		long id = this.api.send(queue, "later");
		this.api.tick(queue);
		Message message = this.api.receive(queue, "worker").get(0);
		this.api.nack(message.batchId(), id, "1 hour", null);
		this.api.ack(message.batchId());
		assertThat(this.api.maintRetryEvents()).isZero();
		this.api.tick(queue);
		assertThat(this.api.receive(queue, "worker")).isEmpty();
		assertThat(db.jdbc()
			.queryForObject(
					"SELECT round(extract(epoch FROM ev_retry_after - now())) FROM pgque.retry_queue WHERE ev_id = ?"
							+ OF_QUEUE,
					Long.class, id, queue))
			.isBetween(3590L, 3600L);
	}

	@Test
	void nackAtLimitDeadLettersExactlyOnceEvenWhenCalledTwice() {
		String queue = queue();
		this.api.setConfig(queue, "max_retries", "1");
		long id = this.api.send(queue, "poison");
		this.api.tick(queue);
		Message delivery = this.api.receive(queue, "worker").get(0);
		this.api.nack(delivery.batchId(), id, "0 seconds", null);
		this.api.ack(delivery.batchId());
		this.api.maintRetryEvents();
		this.api.tick(queue);
		Message retried = this.api.receive(queue, "worker").get(0);
		assertThat(retried.retryCount()).isEqualTo(1);

		assertThat(this.api.nack(retried.batchId(), id, "0 seconds", "gave up")).isEqualTo(1);
		assertThat(this.api.nack(retried.batchId(), id, "0 seconds", "again")).isEqualTo(1);
		assertThat(this.api.deadLetterCount(queue)).isEqualTo(1);
		Map<String, Object> dead = db.jdbc()
			.queryForMap("SELECT ev_id, ev_retry, ev_data, dl_reason FROM pgque.dlq_inspect(?)", queue);
		assertThat(dead).containsEntry("ev_id", id)
			.containsEntry("ev_retry", 1)
			.containsEntry("ev_data", "poison")
			.containsEntry("dl_reason", "gave up");
		assertThat(retryRows(queue, id)).isZero();
		this.api.ack(retried.batchId());
		this.api.tick(queue);
		assertThat(this.api.receive(queue, "worker")).isEmpty();
	}

	@Test
	void nackWithZeroMaxRetriesDeadLettersFirstTimeUsingStoredValues() {
		String queue = queue();
		this.api.setConfig(queue, "max_retries", "0");
		long id = this.api.send(queue, "stored");
		this.api.tick(queue);
		Message message = this.api.receive(queue, "worker").get(0);
		// Everything but msg_id in the message is ignored: the stored event is what
		// counts.
		Integer result = db.jdbc()
			.queryForObject("SELECT pgque.nack(?, ROW(?, 0, 'forged', 'forged', -7, now(), 'x', 'x', 'x', 'x')"
					+ "::pgque.message)", Integer.class, message.batchId(), id);
		assertThat(result).isEqualTo(1);
		Map<String, Object> dead = db.jdbc()
			.queryForMap("SELECT ev_type, ev_data, ev_retry, ev_extra1, dl_reason FROM pgque.dlq_inspect(?)", queue);
		assertThat(dead).containsEntry("ev_type", "default")
			.containsEntry("ev_data", "stored")
			.containsEntry("ev_retry", null)
			.containsEntry("ev_extra1", null);
		assertThat((String) dead.get("dl_reason")).isNotBlank();
	}

	@Test
	void nackForMessageNotInBatchOrUnknownBatchRaisesAndWritesNothing() {
		String queue = queue();
		long id = this.api.send(queue, "a");
		this.api.tick(queue);
		Message message = this.api.receive(queue, "worker").get(0);
		assertThat(SqlErrors.raised(() -> this.api.nack(message.batchId(), id + 1000, "0 seconds", null)))
			.isEqualTo("msg_id " + (id + 1000) + " not found in batch " + message.batchId());
		assertThat(SqlErrors.raised(() -> this.api.nack(message.batchId(), null, "0 seconds", null)))
			.contains("not found in batch " + message.batchId());
		assertThat(SqlErrors.raised(() -> this.api.nack(message.batchId() + 1000, id, "0 seconds", null)))
			.startsWith("batch not found");
		assertThat(db.jdbc()
			.queryForObject("SELECT count(*) FROM pgque.retry_queue WHERE true" + OF_QUEUE, Integer.class, queue))
			.isZero();
		assertThat(this.api.deadLetterCount(queue)).isZero();
	}

	@Test
	void nackOneThenAckBringsBackOnlyThatOne() {
		String queue = queue();
		this.api.send(queue, "keep");
		long id = this.api.send(queue, "again");
		this.api.tick(queue);
		List<Message> batch = this.api.receive(queue, "worker");
		assertThat(batch).hasSize(2);
		assertThat(this.api.nack(batch.get(0).batchId(), id, "0 seconds", null)).isEqualTo(1);
		assertThat(this.api.nack(batch.get(0).batchId(), id, "0 seconds", null)).isEqualTo(1);
		assertThat(retryRows(queue, id)).isEqualTo(1);
		this.api.ack(batch.get(0).batchId());
		this.api.maintRetryEvents();
		this.api.tick(queue);
		assertThat(this.api.receive(queue, "worker")).extracting(Message::payload).containsExactly("again");
	}

	@Test
	void unsubscribeRemovesRetryRowsAndOrphanedConsumerDeadLetters() {
		String queue = "q" + counter.incrementAndGet();
		this.api.createQueue(queue);
		this.api.subscribe(queue, "loner");
		this.api.setConfig(queue, "max_retries", "0");
		long dead = this.api.send(queue, "dead");
		long retried = this.api.send(queue, "retried");
		this.api.tick(queue);
		long batch = this.api.receive(queue, "loner").get(0).batchId();
		this.api.nack(batch, dead, "0 seconds", null);
		this.api.setConfig(queue, "max_retries", null);
		this.api.nack(batch, retried, "0 seconds", null);
		assertThat(this.api.deadLetterCount(queue)).isEqualTo(1);
		assertThat(db.jdbc().queryForObject("SELECT pgque.unsubscribe(?, 'loner')", Integer.class, queue)).isEqualTo(1);
		assertThat(db.jdbc().queryForObject("SELECT pgque.unsubscribe(?, 'loner')", Integer.class, queue)).isZero();
		assertThat(db.jdbc()
			.queryForObject("SELECT count(*) FROM pgque.retry_queue WHERE ev_id = ?" + OF_QUEUE, Integer.class, retried,
					queue))
			.isZero();
		assertThat(this.api.deadLetterCount(queue)).isZero();
	}

	private int retryRows(String queue, long id) {
		return db.jdbc()
			.queryForObject("SELECT count(*) FROM pgque.retry_queue WHERE ev_id = ?" + OF_QUEUE, Integer.class, id,
					queue);
	}

	private Long openBatch(String queue) {
		return db.jdbc()
			.queryForObject(
					"SELECT s.sub_batch FROM pgque.subscription s JOIN pgque.queue q ON q.queue_id = s.sub_queue"
							+ " JOIN pgque.consumer c ON c.co_id = s.sub_consumer WHERE q.queue_name = ? AND c.co_name = 'worker'",
					Long.class, queue);
	}

}
