package io.pgque.spring.engine.api;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.SqlArrayValue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The presence of a keyed consumer's workers ({@code slot_worker_beat},
 * {@code slot_worker_leave}, not upstream): who is alive, which slots are free and who
 * holds less than its share, from which each worker balances the slots; and a worker's
 * leases renewed in one call ({@code renew_slots}, not upstream).
 */
class PartitionWorkersIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final JdbcTemplate jdbc = db.jdbc();

	private final SlotSql slots = new SlotSql(this.jdbc);

	private void createQueue(String queue) {
		this.jdbc.queryForObject("SELECT pgque.create_queue(?)", Integer.class, queue);
	}

	@Test
	void beatCountsTheWorkersAliveTheFreeSlotsAndTheWorkersBelowTheirShare() {
		createQueue("pw_beat");
		this.slots.subscribeAll("pw_beat", "c", 4);
		assertThat(beat("pw_beat", "w1", "30 seconds")).containsExactly(1, 4, 1);
		for (int slot = 0; slot < 4; slot++) {
			this.slots.claim("pw_beat", "c", slot, "w1");
		}
		assertThat(beat("pw_beat", "w1", "30 seconds")).containsExactly(1, 0, 0);
		// a newcomer holds nothing: below 4 / 2
		assertThat(beat("pw_beat", "w2", "30 seconds")).containsExactly(2, 0, 1);
		this.slots.release("pw_beat", "c", 3, "w1");
		this.slots.release("pw_beat", "c", 2, "w1");
		assertThat(beat("pw_beat", "w1", "30 seconds")).containsExactly(2, 2, 1);
		this.slots.claim("pw_beat", "c", 3, "w2");
		this.slots.claim("pw_beat", "c", 2, "w2");
		assertThat(beat("pw_beat", "w2", "30 seconds")).containsExactly(2, 0, 0);
	}

	@Test
	void aSilentWorkerIsForgottenAfterItsTtlAndALeavingOneAtOnce() throws Exception {
		createQueue("pw_gone");
		this.slots.subscribeAll("pw_gone", "c", 2);
		beat("pw_gone", "silent", "1 second");
		beat("pw_gone", "leaving", "30 seconds");
		assertThat(beat("pw_gone", "w", "30 seconds").get(0)).isEqualTo(3);
		assertThat(leave("pw_gone", "leaving")).isTrue();
		assertThat(leave("pw_gone", "leaving")).isFalse();
		assertThat(beat("pw_gone", "w", "30 seconds").get(0)).isEqualTo(2);
		Thread.sleep(1100);
		assertThat(beat("pw_gone", "w", "30 seconds").get(0)).isEqualTo(1);
	}

	@Test
	void beatRefusesAnEmptyWorkerAShortTtlAndAConsumerWithoutSlots() {
		createQueue("pw_bad");
		this.jdbc.queryForObject("SELECT pgque.register_consumer('pw_bad', 'plain')", Integer.class);
		this.slots.subscribeAll("pw_bad", "c", 2);
		assertThat(SqlErrors.raised(() -> beat("pw_bad", "", "30 seconds"))).contains("worker id must not be empty");
		assertThat(SqlErrors.raised(() -> beat("pw_bad", "w", "500 milliseconds")))
			.contains("worker ttl must be >= 1 second");
		assertThat(SqlErrors.raised(() -> this.jdbc
			.queryForList("SELECT * FROM pgque.slot_worker_beat('pw_bad', 'plain', 'w', '30 seconds')")))
			.contains("is not a partitioned consumer");
	}

	@Test
	void unsubscribingEverySlotForgetsTheWorkers() {
		createQueue("pw_unsub");
		this.slots.subscribeAll("pw_unsub", "c", 1);
		beat("pw_unsub", "w", "30 seconds");
		this.slots.unsubscribe("pw_unsub", "c", 0);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgque.partition_worker w JOIN pgque.queue q"
				+ " ON q.queue_id = w.queue_id WHERE q.queue_name = 'pw_unsub'", Integer.class))
			.isZero();
	}

	@Test
	void renewSlotsRenewsTheWorkersOwnLeasesKeepingTheirEpochs() throws Exception {
		createQueue("pw_renew");
		this.slots.subscribeAll("pw_renew", "c", 4);
		Long kept = this.slots.claim("pw_renew", "c", 0, "w1");
		Long expiredButMine = this.slots.claim("pw_renew", "c", 1, "w1", "1 second");
		Long others = this.slots.claim("pw_renew", "c", 2, "w2");
		this.slots.claim("pw_renew", "c", 3, "w1", "1 second");
		Thread.sleep(1100);
		Long takenOver = this.slots.claim("pw_renew", "c", 3, "w2");
		assertThat(renew("pw_renew", "w1", 0, 1, 2, 3)).containsExactly(Map.entry(0, kept),
				Map.entry(1, expiredButMine));
		assertThat(this.jdbc.queryForList(
				"SELECT ls.slot FROM pgque.partition_slot ls JOIN pgque.queue q"
						+ " ON q.queue_id = ls.queue_id WHERE q.queue_name = 'pw_renew' AND ls.lease_owner = 'w1'"
						+ " AND ls.lease_until > clock_timestamp() + interval '20 seconds' ORDER BY ls.slot",
				Integer.class))
			.containsExactly(0, 1);
		assertThat(renew("pw_renew", "w2", 2, 3)).containsExactly(Map.entry(2, others), Map.entry(3, takenOver));
		assertThat(renew("pw_renew", "w1")).isEmpty();
	}

	// Like claim_slot: a lease row another transaction holds answers at once, without it
	@Test
	void renewSlotsSkipsALeaseAnotherTransactionIsOnWithoutWaiting() throws Exception {
		createQueue("pw_renew_busy");
		this.slots.subscribeAll("pw_renew_busy", "c", 2);
		Long free = this.slots.claim("pw_renew_busy", "c", 1, "w1");
		this.slots.claim("pw_renew_busy", "c", 0, "w1");
		try (Connection other = db.newConnection()) {
			other.setAutoCommit(false);
			try (Statement statement = other.createStatement()) {
				statement.execute("SELECT 1 FROM pgque.partition_slot ls JOIN pgque.queue q ON q.queue_id = ls.queue_id"
						+ " WHERE q.queue_name = 'pw_renew_busy' AND ls.slot = 0 FOR UPDATE OF ls");
			}
			// a wait would last until the rollback below: the timeout fails
			// the test instead
			assertThat(
					CompletableFuture.supplyAsync(() -> renew("pw_renew_busy", "w1", 0, 1)).get(10, TimeUnit.SECONDS))
				.containsExactly(Map.entry(1, free));
			other.rollback();
		}
	}

	@Test
	void renewSlotsRefusesAnEmptyWorkerAShortTtlAndAConsumerWithoutSlots() {
		createQueue("pw_renew_bad");
		this.jdbc.queryForObject("SELECT pgque.register_consumer('pw_renew_bad', 'plain')", Integer.class);
		this.slots.subscribeAll("pw_renew_bad", "c", 2);
		assertThat(SqlErrors.raised(() -> this.jdbc
			.queryForList("SELECT * FROM pgque.renew_slots('pw_renew_bad', 'c', '', ARRAY[0], '30 seconds')")))
			.contains("worker id must not be empty");
		assertThat(SqlErrors.raised(() -> this.jdbc
			.queryForList("SELECT * FROM pgque.renew_slots('pw_renew_bad', 'c', 'w', ARRAY[0], '0.5 seconds')")))
			.contains("lease ttl must be >= 1 second");
		assertThat(SqlErrors.raised(() -> this.jdbc
			.queryForList("SELECT * FROM pgque.renew_slots('pw_renew_bad', 'plain', 'w', ARRAY[0], '30 seconds')")))
			.contains("is not a partitioned consumer");
	}

	private Map<Integer, Long> renew(String queue, String worker, Integer... slots) {
		Map<Integer, Long> renewed = new TreeMap<>();
		this.jdbc.query("SELECT renewed_slot, lease_epoch FROM pgque.renew_slots(?, 'c', ?, ?::int[], '30 seconds')",
				(rs) -> {
					renewed.put(rs.getInt(1), rs.getLong(2));
				}, queue, worker, new SqlArrayValue("int4", (Object[]) slots));
		return renewed;
	}

	private List<Integer> beat(String queue, String worker, String ttl) {
		return this.jdbc.queryForObject(
				"SELECT alive, free, hungry FROM pgque.slot_worker_beat(?, 'c', ?, ?::interval)",
				(rs, row) -> List.of(rs.getInt(1), rs.getInt(2), rs.getInt(3)), queue, worker, ttl);
	}

	private boolean leave(String queue, String worker) {
		return this.jdbc.queryForObject("SELECT pgque.slot_worker_leave(?, 'c', ?)", Boolean.class, queue, worker);
	}

}
