package io.pgque.spring.engine.api;

import io.pgque.spring.engine.api.ApiSql.Message;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Input the engine refuses with an error naming what is at fault, before it writes or
 * deletes anything: a negative purge age, blank or over-long consumer names, a retry
 * delay that does not fit the retry queue's seconds.
 */
class InputLimitsIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApiSql api = new ApiSql(db.jdbc());

	@Test
	void dlqPurgeWithNegativeAgeRaisesAndDeletesNothing() {
		this.api.createQueue("purge");
		this.api.subscribe("purge", "worker");
		this.api.setConfig("purge", "max_retries", "0");
		this.api.send("purge", "poison");
		this.api.tick("purge");
		Message message = this.api.receive("purge", "worker").get(0);
		this.api.nack(message.batchId(), message.msgId(), "0 seconds", "boom");
		this.api.ack(message.batchId());
		assertThat(this.api.deadLetterCount("purge")).isOne();

		assertThat(SqlErrors.raised(
				() -> db.jdbc().queryForObject("SELECT pgque.dlq_purge('purge', interval '-1 day')", Integer.class)))
			.isEqualTo("dlq_purge: older-than interval must not be negative: -1 days");
		assertThat(this.api.deadLetterCount("purge")).isOne();
		assertThat(db.jdbc().queryForObject("SELECT pgque.dlq_purge('purge', interval '0')", Integer.class)).isOne();
	}

	@Test
	void blankOrOverLongConsumerNamesRaiseAndSubscribeNothing() {
		this.api.createQueue("names");
		assertThat(SqlErrors.raised(() -> this.api.subscribe("names", " \t ")))
			.isEqualTo("consumer name must not be null, empty or blank");
		String longName = "c".repeat(256);
		assertThat(SqlErrors.raised(() -> this.api.subscribe("names", longName)))
			.isEqualTo("consumer name too long (256 bytes, at most 255): " + "c".repeat(40) + "...");
		assertThat(db.jdbc().queryForObject("SELECT count(*) FROM pgque.consumer", Integer.class)).isZero();
		assertThat(this.api.subscribe("names", "c".repeat(255))).isOne();
	}

	@Test
	void nackWithDelayBeyondTheRetryQueueRangeRaisesAndWritesNothing() {
		this.api.createQueue("delays");
		this.api.subscribe("delays", "worker");
		this.api.send("delays", "later");
		this.api.tick("delays");
		Message message = this.api.receive("delays", "worker").get(0);
		assertThat(SqlErrors.raised(() -> this.api.nack(message.batchId(), message.msgId(), "100 years", null)))
			.isEqualTo("nack: retry delay 100 years is too long (at most 2147483647 seconds, about 68 years)");
		assertThat(db.jdbc().queryForObject("SELECT count(*) FROM pgque.retry_queue", Integer.class)).isZero();
		assertThat(this.api.nack(message.batchId(), message.msgId(), "10 years", null)).isOne();
	}

}
