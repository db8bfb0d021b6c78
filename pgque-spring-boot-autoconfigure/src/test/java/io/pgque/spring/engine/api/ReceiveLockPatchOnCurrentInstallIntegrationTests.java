package io.pgque.spring.engine.api;

import io.pgque.spring.engine.api.TwoSessionReceive.Outcome;
import io.pgque.spring.schema.PgqueChangelogs;
import io.pgque.spring.schema.PgqueLiquibaseRunner;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The receive-lock patch applied to a current install (subscription with sub_role): still
 * locks, and still refuses cooperative rows.
 */
class ReceiveLockPatchOnCurrentInstallIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApiSql api = new ApiSql(db.jdbc());

	@Test
	void patchedCurrentInstallKeepsLockAndRoleGuard() throws Exception {
		new PgqueLiquibaseRunner(db.dataSource()).update(PgqueChangelogs.RECEIVE_LOCK_PATCH);
		this.api.createQueue("current");
		this.api.subscribe("current", "worker");
		this.api.send("current", "a");
		this.api.tick("current");
		Outcome outcome = TwoSessionReceive.run(db, "current", "worker", false);
		assertThat(outcome.secondBlocked()).isTrue();
		assertThat(outcome.second()).isEqualTo(outcome.first());
		this.api.ack(outcome.firstBatch());

		// a cooperative group with a member (one without members opens nothing instead)
		new CoopSql(db.jdbc()).register("current", "coop", "w1");
		assertThat(SqlErrors.raised(() -> this.api.receive("current", "coop"))).contains("cooperative main consumer");
	}

}
