package io.pgque.spring.engine.api;

import java.sql.Connection;

import io.pgque.spring.engine.EngineSql;
import io.pgque.spring.engine.api.ApiSql.Message;
import io.pgque.spring.engine.api.TwoSessionReceive.Outcome;
import io.pgque.spring.schema.PgqueChangelogs;
import io.pgque.spring.schema.PgqueLiquibaseRunner;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Patch mode: the receive-lock changelog applied alone to an install that predates the
 * fix. The test turns a fresh engine into that older shape (no sub_role column, batches
 * opened without the row lock), shows the two-session check failing, applies the patch
 * and shows it passing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReceiveLockPatchIntegrationTests {

	// An upstream-0.1-style next_batch_custom: reads subscription and ticks without a
	// row lock, so a second session decides on stale data and opens a batch of its own.
	private static final String LOCK_FREE_NEXT_BATCH_CUSTOM = """
			CREATE OR REPLACE FUNCTION pgque.next_batch_custom(i_queue_name text, i_consumer_name text,
					i_min_lag interval, i_min_count int4, i_min_interval interval,
					OUT batch_id int8, OUT cur_tick_id int8, OUT prev_tick_id int8, OUT cur_tick_time timestamptz,
					OUT prev_tick_time timestamptz, OUT cur_tick_event_seq int8, OUT prev_tick_event_seq int8)
			LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog
			AS $$
			DECLARE
				v record;
			BEGIN
				SELECT s.sub_queue, s.sub_consumer, s.sub_last_tick, s.sub_batch, s.sub_next_tick INTO v
				FROM pgque.subscription s
				JOIN pgque.queue q ON q.queue_id = s.sub_queue
				JOIN pgque.consumer c ON c.co_id = s.sub_consumer
				WHERE q.queue_name = i_queue_name AND c.co_name = i_consumer_name;
				IF NOT FOUND THEN
					RAISE EXCEPTION 'Not subscriber to queue: %/%', i_queue_name, i_consumer_name;
				END IF;
				prev_tick_id := v.sub_last_tick;
				IF v.sub_batch IS NOT NULL THEN
					batch_id := v.sub_batch;
					cur_tick_id := v.sub_next_tick;
					RETURN;
				END IF;
				SELECT t.tick_id INTO cur_tick_id FROM pgque.tick t
				WHERE t.tick_queue = v.sub_queue AND t.tick_id > v.sub_last_tick ORDER BY t.tick_id LIMIT 1;
				IF cur_tick_id IS NULL THEN
					prev_tick_id := NULL;
					RETURN;
				END IF;
				batch_id := nextval('pgque.batch_id_seq');
				UPDATE pgque.subscription SET sub_batch = batch_id, sub_next_tick = cur_tick_id, sub_active = now()
				WHERE sub_queue = v.sub_queue AND sub_consumer = v.sub_consumer;
			END;
			$$""";

	// finish_batch as an install without sub_role has it.
	private static final String OLD_FINISH_BATCH = """
			CREATE OR REPLACE FUNCTION pgque.finish_batch(x_batch_id bigint)
			RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog
			AS $$
			BEGIN
				UPDATE pgque.subscription
				SET sub_last_tick = sub_next_tick, sub_batch = NULL, sub_next_tick = NULL, sub_active = now()
				WHERE sub_batch = x_batch_id;
				IF NOT FOUND THEN
					RETURN 0;
				END IF;
				RETURN 1;
			END;
			$$""";

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApiSql api = new ApiSql(db.jdbc());

	@Test
	@Order(1)
	void olderInstallFailsTheTwoSessionCheck() throws Exception {
		db.jdbc().execute("ALTER TABLE pgque.subscription DROP COLUMN sub_role");
		// an upstream install never ran the engine's changeset of the function
		db.jdbc().update("DELETE FROM pgque.pgque_databasechangelog WHERE id = 'next_batch_custom/6'");
		db.jdbc().execute(LOCK_FREE_NEXT_BATCH_CUSTOM);
		db.jdbc().execute(OLD_FINISH_BATCH);
		this.api.createQueue("old");
		this.api.subscribe("old", "worker");
		this.api.send("old", "a");
		this.api.tick("old");

		Outcome outcome = TwoSessionReceive.run(db, "old", "worker", false);
		assertThat(outcome.first()).extracting(Message::payload).containsExactly("a");
		assertThat(outcome.secondError()).isNull();
		// The same event, handed out a second time under a different batch id.
		assertThat(outcome.second()).extracting(Message::payload).containsExactly("a");
		assertThat(outcome.second().get(0).batchId()).isNotEqualTo(outcome.firstBatch());
		this.api.ack(outcome.second().get(0).batchId());
	}

	@Test
	@Order(2)
	void patchedOlderInstallPassesTheTwoSessionCheck() throws Exception {
		new PgqueLiquibaseRunner(db.dataSource()).update(PgqueChangelogs.RECEIVE_LOCK_PATCH);
		assertThat(db.jdbc()
			.queryForObject("SELECT count(*) FROM pg_attribute WHERE attrelid = 'pgque.subscription'::regclass"
					+ " AND attname = 'sub_role' AND NOT attisdropped", Integer.class))
			.isZero();

		this.api.send("old", "b");
		this.api.tick("old");
		Outcome outcome = TwoSessionReceive.run(db, "old", "worker", false);
		assertThat(outcome.first()).extracting(Message::payload).containsExactly("b");
		assertThat(outcome.secondBlocked()).isTrue();
		assertThat(outcome.secondError()).isNull();
		assertThat(outcome.second()).isEqualTo(outcome.first());
		this.api.ack(outcome.firstBatch());

		this.api.send("old", "c");
		this.api.tick("old");
		this.api.send("old", "d");
		this.api.tick("old");
		Outcome acked = TwoSessionReceive.run(db, "old", "worker", true);
		assertThat(acked.first()).extracting(Message::payload).containsExactly("c");
		assertThat(acked.secondBlocked()).isTrue();
		assertThat(acked.secondError()).isNull();
		assertThat(acked.second()).extracting(Message::payload).containsExactly("d");
	}

	@Test
	@Order(3)
	void patchedOlderInstallTakesNoLockOnAnIdlePoll() throws Exception {
		this.api.createQueue("idle");
		this.api.subscribe("idle", "worker");
		try (Connection session = db.newConnection()) {
			session.setAutoCommit(false);
			assertThat(EngineSql.queryOne(session, "SELECT pgque.next_batch('idle', 'worker')", Long.class)).isNull();
			assertThat(EngineSql.transactionIdAssigned(session)).isFalse();
			session.rollback();
		}
	}

	@Test
	@Order(4)
	void patchIsANoOpWhenAppliedAgain() {
		String before = nextBatchCustomSource();
		new PgqueLiquibaseRunner(db.dataSource()).update(PgqueChangelogs.RECEIVE_LOCK_PATCH);
		assertThat(nextBatchCustomSource()).isEqualTo(before).contains("FOR UPDATE");
	}

	private String nextBatchCustomSource() {
		return db.jdbc()
			.queryForObject("SELECT prosrc FROM pg_proc WHERE oid = 'pgque.next_batch_custom(text, text, interval,"
					+ " int4, interval)'::regprocedure", String.class);
	}

}
