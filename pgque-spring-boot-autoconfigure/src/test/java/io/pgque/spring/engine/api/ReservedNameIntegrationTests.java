package io.pgque.spring.engine.api;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;

import static io.pgque.spring.engine.api.SqlErrors.raised;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * '#' is reserved for partition-slot consumers (extended contract B.4, B.6, F.5): the
 * plain subscribe, receive, ack and nack refuse it where the newer contract does, while
 * register_consumer still accepts it.
 */
class ReservedNameIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final JdbcTemplate jdbc = db.jdbc();

	private final ApiSql api = new ApiSql(this.jdbc);

	@Test
	void subscribeRefusesHashAndCreatesNothing() {
		this.api.createQueue("slots");
		assertThat(raised(() -> this.api.subscribe("slots", "orders#0/2"))).contains("#").contains("orders#0/2");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgque.consumer WHERE co_name = 'orders#0/2'",
				Integer.class))
			.isZero();
	}

	@Test
	void receiveAckAndNackRefuseASlotsBatch() {
		this.api.createQueue("slotted");
		this.jdbc.queryForObject("SELECT pgque.register_consumer('slotted', 'c#1/2')", Integer.class);
		this.api.send("slotted", "x");
		this.api.tick("slotted");
		assertThat(raised(() -> this.api.receive("slotted", "c#1/2"))).contains("receive_partitioned");

		Long batch = this.jdbc.queryForObject("SELECT pgque.next_batch('slotted', 'c#1/2')", Long.class);
		assertThat(raised(() -> this.jdbc.queryForObject("SELECT pgque.ack(?)", Integer.class, batch)))
			.contains("ack_partitioned");
		assertThat(raised(() -> this.jdbc.queryForObject(
				"SELECT pgque.nack(?, ROW(1, ?, NULL, NULL, NULL, now(), NULL, NULL, NULL, NULL)::pgque.message)",
				Integer.class, batch, batch)))
			.contains("nack_partitioned");
		// the raw primitive stays as it was
		assertThat(this.jdbc.queryForObject("SELECT pgque.finish_batch(?)", Integer.class, batch)).isEqualTo(1);
	}

	@Test
	void unknownBatchesKeepTheirOldResults() {
		assertThat(this.jdbc.queryForObject("SELECT pgque.ack(-1)", Integer.class)).isZero();
		assertThat(raised(() -> this.jdbc.queryForObject(
				"SELECT pgque.nack(-1, ROW(1, -1, NULL, NULL, NULL, now(), NULL, NULL, NULL, NULL)::pgque.message)",
				Integer.class)))
			.contains("batch not found: -1");
	}

}
