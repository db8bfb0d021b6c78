package io.pgque.spring.listener.source;

import java.time.Duration;
import java.util.function.LongConsumer;

import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The fence of a keyed worker's ack: a worker whose slot lease expired and was taken over
 * while it worked on a batch (opened in a transaction of its own, as at-least-once does)
 * cannot commit that batch, even after it has claimed the slot again; a client acking
 * without the batch and epoch commits its effects a second time.
 */
class PgqueSlotJdbcFencingIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final TransactionTemplate transactions = new TransactionTemplate(
			new DataSourceTransactionManager(db.dataSource()));

	@Test
	void finishWhenTheLeaseWasTakenOverMeanwhileShouldFailAndRollBackTheEffects() throws Exception {
		String queue = "fence_on";
		PgqueSlotJdbc stale = staleWorkerAfterTakeover(queue);
		assertThatExceptionOfType(PgqueSlotLostException.class)
			.isThrownBy(() -> this.transactions.executeWithoutResult((status) -> {
				writeEffects(queue, "a");
				stale.finish(this.batchOfA.id());
			}))
			.withMessageContaining("fenced");
		assertThat(effects(queue)).as("effects committed: the takeover's only").isEqualTo(3);
	}

	@Test
	void ackWithoutTheFenceShouldCommitTheStaleWorkersEffectsTwice() throws Exception {
		String queue = "fence_off";
		staleWorkerAfterTakeover(queue);
		this.transactions.executeWithoutResult((status) -> {
			writeEffects(queue, "a");
			db.jdbc().queryForObject("SELECT pgque.ack_partitioned(?, 'c', 0, 1, 'a')", Integer.class, queue);
		});
		assertThat(effects(queue)).as("effects committed: every event twice").isEqualTo(6);
	}

	private PgqueOpenBatch batchOfA;

	// worker a opens the batch, its lease expires, b takes the slot over, handles the
	// batch, acks it and gives the slot back, and a claims it again
	private PgqueSlotJdbc staleWorkerAfterTakeover(String queue) throws InterruptedException {
		db.jdbc().queryForObject("SELECT pgque.create_queue(?)", Integer.class, queue);
		db.jdbc().queryForObject("SELECT pgque.subscribe_slots(?, 'c', 1)", Integer.class, queue);
		db.jdbc().execute("CREATE TABLE IF NOT EXISTS fence_effects (queue text, ev_id bigint, worker text)");
		db.jdbc()
			.queryForObject("SELECT count(pgque.send(?, 'test', 'e' || i, 'key-' || i)) FROM generate_series(1, 3) i",
					Long.class, queue);
		db.jdbc().queryForObject("SELECT pgque.force_next_tick(?)", Long.class, queue);
		db.jdbc().queryForObject("SELECT pgque.ticker(?)", Long.class, queue);
		PgqueKeySlots slots = new PgqueKeySlots(db.dataSource(), queue, "c", 1);
		PgqueSlotJdbc a = new PgqueSlotJdbc(db.dataSource(), queue, "c", 0, 1, "a");
		a.claimed(claim(slots, "a"));
		PgqueOpenBatch batch = this.transactions.execute((status) -> a.open(null));
		assertThat(batch).isNotNull();
		assertThat(batch.messages()).hasSize(3);
		this.batchOfA = batch;
		Thread.sleep(1200);
		PgqueSlotJdbc b = new PgqueSlotJdbc(db.dataSource(), queue, "c", 0, 1, "b");
		b.claimed(claim(slots, "b"));
		inTransaction((id) -> {
			PgqueOpenBatch same = b.open(null);
			assertThat(same).isNotNull();
			assertThat(same.id()).isEqualTo(id);
			writeEffects(queue, "b");
			assertThat(b.finish(same.id())).isTrue();
		}, batch.id());
		assertThat(slots.release(0, "b")).isTrue();
		assertThat(slots.claim(0, "a", Duration.ofSeconds(1))).as("a's new claim").isNotNull();
		return a;
	}

	private static long claim(PgqueKeySlots slots, String worker) {
		Long epoch = slots.claim(0, worker, Duration.ofSeconds(1));
		assertThat(epoch).as("claim of " + worker).isNotNull();
		return epoch;
	}

	private void inTransaction(LongConsumer action, long batchId) {
		this.transactions.executeWithoutResult((status) -> action.accept(batchId));
	}

	// the handler's effect: a row per event of the batch in hand
	private void writeEffects(String queue, String worker) {
		Long[] ids = this.batchOfA.messages().stream().map(PgqueMessage::id).toArray(Long[]::new);
		db.jdbc().update("INSERT INTO fence_effects SELECT ?, unnest(?::bigint[]), ?", queue, ids, worker);
	}

	private long effects(String queue) {
		return db.jdbc().queryForObject("SELECT count(*) FROM fence_effects WHERE queue = ?", Long.class, queue);
	}

}
