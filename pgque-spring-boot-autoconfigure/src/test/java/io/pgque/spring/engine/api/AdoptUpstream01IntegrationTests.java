package io.pgque.spring.engine.api;

import io.pgque.spring.engine.api.ApiSql.Message;
import io.pgque.spring.engine.api.TwoSessionReceive.Outcome;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Adopting a PgQue 0.1-shaped install made with psql: older tables (no sub_role) and the
 * receive-lock bug. Before adoption two sessions get the same events under two batch ids;
 * after it, the second waits and gets the same batch.
 */
class AdoptUpstream01IntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.empty();

	@Test
	void installModeAdoptsItFixingTheReceiveLockAndKeepingWorkInFlight() throws Exception {
		UpstreamInstall.apply(db, "upstream-0.1-tables.sql", "upstream-0.1-version.sql",
				"upstream-consumer-functions.sql", "upstream-in-flight.sql");

		Outcome before = TwoSessionReceive.run(db, "orders", "probe", false);
		assertThat(before.first()).hasSize(5);
		assertThat(before.secondError()).isNull();
		assertThat(before.second()).as("delivered twice under another batch id")
			.extracting(Message::payload)
			.containsExactlyElementsOf(before.first().stream().map(Message::payload).toList());
		assertThat(before.second().get(0).batchId()).isNotEqualTo(before.firstBatch());
		assertThat(db.jdbc().queryForObject("SELECT pgque.ack(?)", Integer.class, before.second().get(0).batchId()))
			.isEqualTo(1);

		UpstreamInstall.adoptWhileAConsumerHoldsItsBatch(db);

		Outcome after = TwoSessionReceive.run(db, "orders", "probe", false);
		assertThat(after.first()).extracting(Message::payload).containsExactly("order-6", "order-7", "order-8");
		assertThat(after.secondBlocked()).isTrue();
		assertThat(after.secondError()).isNull();
		assertThat(after.second()).isEqualTo(after.first());
	}

}
