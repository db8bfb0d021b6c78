package io.pgque.spring.engine.api;

import io.pgque.spring.schema.PgqueSchemaInitializer;
import io.pgque.spring.schema.PgqueSchemaMode;
import io.pgque.spring.schema.PgqueSchemaValidationException;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@code pgque.schema.mode=validate}: our own install passes; with one function dropped,
 * one signature changed, one result type changed and one column dropped, start-up fails
 * naming each of them and the features that need it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ValidateModeIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	@Test
	@Order(1)
	void theStartersOwnInstallPasses() {
		new PgqueSchemaInitializer(db.dataSource(), PgqueSchemaMode.VALIDATE).afterPropertiesSet();
	}

	@Test
	@Order(2)
	void aChangedEngineFailsNamingEachDifference() {
		db.jdbc().execute("DROP FUNCTION pgque.finish_batch(bigint)");
		db.jdbc().execute("DROP FUNCTION pgque.receive(text, text, int)");
		db.jdbc()
			.execute("CREATE FUNCTION pgque.receive(i_queue text, i_consumer text, i_max_return bigint)"
					+ " RETURNS SETOF pgque.message LANGUAGE sql AS $$ SELECT NULL::pgque.message WHERE false $$");
		db.jdbc().execute("DROP FUNCTION pgque.ack(bigint)");
		db.jdbc()
			.execute(
					"CREATE FUNCTION pgque.ack(i_batch_id bigint) RETURNS bigint LANGUAGE sql AS $$ SELECT 1::bigint $$");
		db.jdbc().execute("ALTER TABLE pgque.config DROP COLUMN ticker_job_id");

		PgqueSchemaValidationException failure = catchThrowableOfType(PgqueSchemaValidationException.class,
				() -> new PgqueSchemaInitializer(db.dataSource(), PgqueSchemaMode.VALIDATE).afterPropertiesSet());
		assertThat(failure.getProblems()).containsExactlyInAnyOrder(
				"function pgque.receive(text,text,integer) is missing (the database has"
						+ " pgque.receive(text,text,bigint) instead); needed by PgqueTemplate",
				"function pgque.ack(bigint) returns bigint instead of integer; needed by PgqueTemplate",
				"function pgque.finish_batch(bigint) is missing; needed by @PgqueListener containers",
				"column pgque.config.ticker_job_id is missing; needed by embedded ticker");
		assertThat(failure.getMessage()).startsWith("pgque.schema.mode=validate").contains("pgque.schema.mode=install");
	}

}
