package io.pgque.spring.engine.api;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Adopting a PgQue 0.2-shaped install made with psql (no Liquibase history), with work in
 * flight: an open batch held by a running consumer, retry rows, dead letters.
 */
class AdoptUpstream02IntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.empty();

	@Test
	void installModeAdoptsItKeepingWorkInFlightAndListenersConsumeExactlyOnce() throws Exception {
		UpstreamInstall.apply(db, "upstream-0.2-tables.sql", "upstream-consumer-functions.sql",
				"upstream-0.2-next-batch.sql", "upstream-in-flight.sql");
		UpstreamInstall.adoptWhileAConsumerHoldsItsBatch(db);
	}

}
