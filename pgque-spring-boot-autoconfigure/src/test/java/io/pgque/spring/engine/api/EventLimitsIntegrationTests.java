package io.pgque.spring.engine.api;

import io.pgque.spring.engine.api.ApiSql.Message;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's limits on what a writer publishes: every insert path refuses a payload or
 * a type name over the limit with an error naming the limit, and writes nothing; the
 * limits are install-wide and changed with {@code set_limits}; a retried event goes back
 * into its queue even when the limit was lowered after it was accepted.
 */
class EventLimitsIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApiSql api = new ApiSql(db.jdbc());

	@AfterEach
	void restoreDefaults() {
		db.jdbc().queryForObject("SELECT pgque.set_limits(1048576, 255)::text", String.class);
	}

	@Test
	void defaultsAreOneMebibyteAndTwoHundredFiftyFiveBytes() {
		assertThat(limits()).isEqualTo("1048576/255");
	}

	@Test
	void oversizedPayloadIsRefusedOnEveryPathAndNothingIsWritten() {
		this.api.createQueue("big");
		String atLimit = "x".repeat(1048576);
		String over = atLimit + "x";
		String error = "event refused on queue big: the payload is 1048577 bytes,"
				+ " over the limit max_payload_bytes = 1048576 bytes";
		assertThat(SqlErrors.raised(() -> this.api.send("big", over))).isEqualTo(error);
		assertThat(SqlErrors.raised(() -> db.jdbc()
			.queryForObject("SELECT pgque.send('big', 't', to_jsonb(?::text))", Long.class, over.substring(2))))
			.isEqualTo(error);
		assertThat(SqlErrors
			.raised(() -> db.jdbc().queryForObject("SELECT pgque.insert_event('big', 't', ?)", Long.class, over)))
			.isEqualTo(error);
		assertThat(SqlErrors.raised(() -> db.jdbc()
			.queryForObject("SELECT pgque.send_batch('big', 't', ARRAY['small', ?])::text", String.class, over)))
			.isEqualTo("event refused on queue big: the payload at index 1 is 1048577 bytes,"
					+ " over the limit max_payload_bytes = 1048576 bytes");
		assertThat(eventCount("big")).isZero();

		this.api.send("big", atLimit);
		assertThat(eventCount("big")).isOne();
	}

	@Test
	void payloadSizeIsCountedInBytesNotCharacters() {
		this.api.createQueue("utf8");
		db.jdbc().queryForObject("SELECT pgque.set_limits(4, NULL)::text", String.class);
		this.api.send("utf8", "äö");
		assertThat(SqlErrors.raised(() -> this.api.send("utf8", "äöü"))).isEqualTo(
				"event refused on queue utf8: the payload is 6 bytes, over the limit max_payload_bytes = 4 bytes");
	}

	@Test
	void overLongTypeNameIsRefused() {
		this.api.createQueue("types");
		String error = "event refused on queue types: the type name is 256 bytes,"
				+ " over the limit max_type_bytes = 255 bytes";
		assertThat(SqlErrors.raised(() -> this.api.send("types", "t".repeat(256), "{}"))).isEqualTo(error);
		assertThat(SqlErrors.raised(() -> db.jdbc()
			.queryForObject("SELECT pgque.send_batch('types', ?, ARRAY['a'])::text", String.class, "t".repeat(256))))
			.isEqualTo(error);
		assertThat(eventCount("types")).isZero();
		this.api.send("types", "t".repeat(255), "{}");
		assertThat(eventCount("types")).isOne();
	}

	@Test
	void setLimitsChangesOnlyWhatIsGivenAndRefusesNonPositiveValues() {
		db.jdbc().queryForObject("SELECT pgque.set_limits(NULL, 16)::text", String.class);
		assertThat(limits()).isEqualTo("1048576/16");
		assertThat(SqlErrors
			.raised(() -> db.jdbc().queryForObject("SELECT pgque.set_limits(0, NULL)::text", String.class)))
			.isEqualTo("max_payload_bytes must be at least 1, was 0");
		assertThat(SqlErrors
			.raised(() -> db.jdbc().queryForObject("SELECT pgque.set_limits(NULL, -1)::text", String.class)))
			.isEqualTo("max_type_bytes must be at least 1, was -1");
	}

	@Test
	void retriedEventReturnsToItsQueueAfterTheLimitWasLowered() {
		this.api.createQueue("lowered");
		this.api.subscribe("lowered", "worker");
		this.api.send("lowered", "a payload of some forty bytes, accepted");
		this.api.tick("lowered");
		Message message = this.api.receive("lowered", "worker").get(0);
		this.api.nack(message.batchId(), message.msgId(), "0 seconds", "later");
		this.api.ack(message.batchId());
		db.jdbc().queryForObject("SELECT pgque.set_limits(8, NULL)::text", String.class);

		assertThat(this.api.maintRetryEvents()).isOne();
		this.api.tick("lowered");
		assertThat(this.api.receive("lowered", "worker")).singleElement()
			.satisfies((retried) -> assertThat(retried.msgId()).isEqualTo(message.msgId()));
	}

	private static String limits() {
		return db.jdbc()
			.queryForObject("SELECT pgque.max_payload_bytes() || '/' || pgque.max_type_bytes()", String.class);
	}

	private int eventCount(String queue) {
		return db.jdbc()
			.queryForObject(
					"SELECT count(*) FROM pgque.event_template e JOIN pgque.queue q"
							+ " ON e.tableoid::regclass::text LIKE q.queue_data_pfx || '\\_%' WHERE q.queue_name = ?",
					Integer.class, queue);
	}

}
