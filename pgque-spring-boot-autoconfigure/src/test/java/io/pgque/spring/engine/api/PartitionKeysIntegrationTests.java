package io.pgque.spring.engine.api;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.pgque.spring.engine.api.ApiSql.Message;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Partition keys (extended contract §B.9): keyed send, slot mapping, leases with fencing
 * epochs, per-slot receive/ack/nack, the status view and the name rules.
 */
class PartitionKeysIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final JdbcTemplate jdbc = db.jdbc();

	private final ApiSql api = new ApiSql(this.jdbc);

	private final SlotSql slots = new SlotSql(this.jdbc);

	@Test
	void keyedSendStoresTheKeyInExtra1AndAKeylessEventGoesToSlotZero() {
		this.api.createQueue("pk_send");
		this.api.subscribe("pk_send", "reader");
		long text = this.slots.send("pk_send", "a", "tenant-a");
		long json = this.jdbc.queryForObject("SELECT pgque.send('pk_send', 't', '{\"b\": 1}'::jsonb, 'tenant-b')",
				Long.class);
		long untyped = this.jdbc.queryForObject("SELECT pgque.send('pk_send', 't', 'raw  text', 'tenant-c')",
				Long.class);
		long keyless = this.api.send("pk_send", "none");
		Map<Long, Map<String, Object>> rows = new java.util.HashMap<>();
		this.api.tick("pk_send");
		for (Map<String, Object> row : this.jdbc
			.queryForList("SELECT msg_id, payload, extra1 FROM pgque.receive('pk_send', 'reader', 100)")) {
			rows.put((Long) row.get("msg_id"), row);
		}
		assertThat(rows.get(text)).containsEntry("extra1", "tenant-a");
		assertThat(rows.get(json)).containsEntry("extra1", "tenant-b").containsEntry("payload", "{\"b\": 1}");
		assertThat(rows.get(untyped)).containsEntry("extra1", "tenant-c").containsEntry("payload", "raw  text");
		assertThat(rows.get(keyless).get("extra1")).isNull();
		assertThat(this.slots.slotOf(null, 2)).isZero();
	}

	@Test
	void theSlotOfAKeyFollowsThePinnedVectors() {
		assertThat(this.slots.slotOf("tenant-a", 2)).isZero();
		assertThat(this.slots.slotOf("tenant-b", 2)).isOne();
		assertThat(this.slots.slotOf("tenant-c", 2)).isOne();
		for (int i = 0; i < 200; i++) {
			assertThat(this.slots.slotOf("k" + i, 7)).isBetween(0, 6);
		}
	}

	@Test
	void drainingEverySlotDeliversEachKeyFromItsOwnSlotInIdOrder() {
		this.api.createQueue("pk_drain");
		this.slots.subscribeAll("pk_drain", "c", 3);
		List<Long> sent = new ArrayList<>();
		Map<Long, String> keyOf = new java.util.HashMap<>();
		for (int i = 0; i < 60; i++) {
			String key = (i % 10 == 9) ? null : "key-" + (i % 10);
			long id = this.slots.send("pk_drain", "e" + i, key);
			sent.add(id);
			keyOf.put(id, key);
			if (i % 20 == 19) {
				this.api.tick("pk_drain");
			}
		}
		List<Map<String, Object>> before = this.slots.status("pk_drain", "c");
		assertThat(before).hasSize(3).allSatisfy((row) -> {
			assertThat(row).containsEntry("n", 3);
			assertThat(row.get("lease_owner")).isNull();
			assertThat(row.get("last_tick")).isNotNull();
			assertThat((Long) row.get("pending_events")).isGreaterThanOrEqualTo(60);
		});
		Set<Long> seen = new HashSet<>();
		for (int slot = 0; slot < 3; slot++) {
			String worker = "w" + slot;
			assertThat(this.slots.claim("pk_drain", "c", slot, worker)).isEqualTo(1L);
			List<Long> fromSlot = new ArrayList<>();
			for (int round = 0; round < 10; round++) {
				List<Map<String, Object>> rows = this.slots.receiveRows("pk_drain", "c", slot, 3, worker);
				for (Map<String, Object> row : rows) {
					long id = (Long) row.get("msg_id");
					assertThat(this.slots.slotOf((String) row.get("extra1"), 3)).isEqualTo(slot);
					fromSlot.add(id);
				}
				this.slots.ack("pk_drain", "c", slot, 3, worker);
			}
			assertThat(fromSlot).isSorted();
			for (long id : fromSlot) {
				assertThat(seen.add(id)).as("event %d delivered twice", id).isTrue();
			}
		}
		assertThat(seen).containsExactlyInAnyOrderElementsOf(sent);
		assertThat(this.slots.status("pk_drain", "c"))
			.allSatisfy((row) -> assertThat(row.get("pending_events")).isEqualTo(0L));
	}

	@Test
	void afterAckASecondReceiveInTheSameWindowReturnsNothingAndARepeatBeforeAckReturnsTheSameRows() {
		this.api.createQueue("pk_repeat");
		this.slots.subscribeAll("pk_repeat", "c", 2);
		this.slots.send("pk_repeat", "x", "tenant-a");
		this.slots.send("pk_repeat", "y", "tenant-a");
		this.api.tick("pk_repeat");
		this.slots.claim("pk_repeat", "c", 0, "w");
		List<Message> first = this.slots.receive("pk_repeat", "c", 0, 2, "w");
		List<Message> again = this.slots.receive("pk_repeat", "c", 0, 2, "w");
		assertThat(first).hasSize(2);
		assertThat(again).extracting(Message::msgId).isEqualTo(first.stream().map(Message::msgId).toList());
		assertThat(this.slots.ack("pk_repeat", "c", 0, 2, "w")).isOne();
		assertThat(this.slots.receive("pk_repeat", "c", 0, 2, "w")).isEmpty();
		assertThat(this.slots.ack("pk_repeat", "c", 0, 2, "w")).isZero();
	}

	@Test
	void aWrongSlotCountOrASlotOutOfRangeRaisesBeforeAnyLeaseCheck() {
		this.api.createQueue("pk_n");
		this.slots.subscribe("pk_n", "c", 0, 2);
		assertThat(SqlErrors.raised(() -> this.slots.receive("pk_n", "c", 0, 3, "nobody"))).contains("n=");
		assertThat(SqlErrors.raised(() -> this.slots.ack("pk_n", "c", 0, 3, "nobody"))).contains("n=");
		assertThat(SqlErrors.raised(() -> this.slots.subscribe("pk_n", "c", 1, 3))).contains("pinned to n=2");
		assertThat(SqlErrors.raised(() -> this.slots.subscribe("pk_n", "c", 2, 2))).contains("out of range");
		assertThat(SqlErrors.raised(() -> this.slots.receive("pk_n", "c", 2, 2, "w"))).contains("out of range");
		assertThat(SqlErrors.raised(() -> this.slots.ack("pk_n", "c", 5, 2, "w"))).contains("out of range");
		assertThat(SqlErrors.raised(() -> this.slots.claim("pk_n", "c", 2, "w"))).contains("out of range");
		assertThat(SqlErrors.raised(() -> this.slots.unsubscribe("pk_n", "c", 2))).contains("out of range");
		assertThat(SqlErrors.raised(() -> this.slots.claim("pk_n", "c", 1, "w"))).contains("is not subscribed");
	}

	@Test
	void leasesTrackOwnershipAndTheViewShowsThem() {
		this.api.createQueue("pk_lease");
		this.slots.subscribe("pk_lease", "c", 0, 2);
		this.slots.subscribe("pk_lease", "c", 1, 2);
		assertThat(this.slots.claim("pk_lease", "c", 0, "a")).isEqualTo(1L);
		assertThat(this.slots.claim("pk_lease", "c", 0, "b")).isNull();
		assertThat(this.slots.claim("pk_lease", "c", 0, "a")).isEqualTo(1L);
		assertThat(this.slots.status("pk_lease", "c").get(0)).containsEntry("lease_owner", "a")
			.containsEntry("epoch", 1L);
		assertThat(this.slots.release("pk_lease", "c", 0, "b")).isFalse();
		assertThat(this.slots.release("pk_lease", "c", 0, null)).isFalse();
		assertThat(this.slots.release("pk_lease", "c", 0, "a")).isTrue();
		assertThat(this.slots.release("pk_lease", "c", 0, "a")).isFalse();
		assertThat(this.slots.status("pk_lease", "c").get(0)).containsEntry("epoch", 1L);
		assertThat(this.slots.status("pk_lease", "c").get(0).get("lease_owner")).isNull();
		assertThat(this.slots.claim("pk_lease", "c", 0, "b")).isEqualTo(2L);
	}

	@Test
	void anExpiredLeaseIsTakenOverAtAHigherEpochAndTheZombieIsFenced() throws Exception {
		this.api.createQueue("pk_expire");
		this.slots.subscribeAll("pk_expire", "c", 2);
		long event = this.slots.send("pk_expire", "x", "tenant-a");
		this.api.tick("pk_expire");
		assertThat(this.slots.claim("pk_expire", "c", 0, "zombie", "1 second")).isEqualTo(1L);
		List<Message> zombieGot = this.slots.receive("pk_expire", "c", 0, 2, "zombie");
		assertThat(zombieGot).extracting(Message::msgId).containsExactly(event);
		assertThat(this.slots.claim("pk_expire", "c", 0, "heir", "30 seconds")).isNull();
		Thread.sleep(1_100);
		assertThat(this.slots.claim("pk_expire", "c", 0, "heir", "30 seconds")).isEqualTo(2L);
		assertThat(this.slots.status("pk_expire", "c").get(0)).containsEntry("epoch", 2L)
			.containsEntry("lease_owner", "heir");
		assertThat(SqlErrors.raised(() -> this.slots.receive("pk_expire", "c", 0, 2, "zombie"))).contains("fenced");
		List<Message> heirGot = this.slots.receive("pk_expire", "c", 0, 2, "heir");
		assertThat(heirGot).extracting(Message::msgId).containsExactly(event);
		assertThat(heirGot.get(0).batchId()).isEqualTo(zombieGot.get(0).batchId());
		assertThat(SqlErrors.raised(() -> this.slots.ack("pk_expire", "c", 0, 2, "zombie"))).contains("fenced");
		assertThat(this.slots.ack("pk_expire", "c", 0, 2, "heir")).isOne();
	}

	@Test
	void consumingWithoutTheLeaseRaises() {
		this.api.createQueue("pk_nolease");
		this.slots.subscribeAll("pk_nolease", "c", 2);
		assertThat(SqlErrors.raised(() -> this.slots.receive("pk_nolease", "c", 0, 2, "w"))).contains("not leased");
		assertThat(SqlErrors.raised(() -> this.slots.ack("pk_nolease", "c", 0, 2, "w"))).contains("not leased");
		this.slots.claim("pk_nolease", "c", 0, "owner");
		assertThat(SqlErrors.raised(() -> this.slots.receive("pk_nolease", "c", 0, 2, "other")))
			.contains("held by worker owner");
		assertThat(SqlErrors.raised(
				() -> this.jdbc.queryForList("SELECT * FROM pgque.receive_partitioned('pk_nolease', 'c', 0, 2, NULL)")))
			.contains("worker id must not be empty");
	}

	@Test
	void aReceiveRenewsTheLeaseEvenWithNoEvents() throws Exception {
		this.api.createQueue("pk_renew");
		this.slots.subscribeAll("pk_renew", "c", 2);
		this.slots.claim("pk_renew", "c", 1, "w", "5 seconds");
		Timestamp before = (Timestamp) this.slots.status("pk_renew", "c").get(1).get("lease_until");
		Thread.sleep(50);
		assertThat(this.slots.receive("pk_renew", "c", 1, 2, "w")).isEmpty();
		Timestamp after = (Timestamp) this.slots.status("pk_renew", "c").get(1).get("lease_until");
		assertThat(after).isAfter(before);
	}

	@Test
	void aNackedEventComesBackOnlyOnItsOwnSlot() {
		this.api.createQueue("pk_nack");
		this.slots.subscribeAll("pk_nack", "c", 2);
		long a = this.slots.send("pk_nack", "a", "tenant-a");
		long b = this.slots.send("pk_nack", "b", "tenant-b");
		this.api.tick("pk_nack");
		this.slots.claim("pk_nack", "c", 0, "w0");
		this.slots.claim("pk_nack", "c", 1, "w1");
		assertThat(this.slots.receive("pk_nack", "c", 0, 2, "w0")).extracting(Message::msgId).containsExactly(a);
		assertThat(SqlErrors.raised(() -> this.slots.nack("pk_nack", "c", 0, 2, "w0", b, "0 seconds")))
			.contains("not found in batch");
		assertThat(this.slots.nack("pk_nack", "c", 0, 2, "w0", a, "0 seconds")).isOne();
		assertThat(this.slots.ack("pk_nack", "c", 0, 2, "w0")).isOne();
		assertThat(this.slots.receive("pk_nack", "c", 1, 2, "w1")).extracting(Message::msgId).containsExactly(b);
		this.slots.ack("pk_nack", "c", 1, 2, "w1");
		this.api.maintRetryEvents();
		this.api.tick("pk_nack");
		assertThat(this.slots.receive("pk_nack", "c", 1, 2, "w1")).isEmpty();
		List<Map<String, Object>> again = this.slots.receiveRows("pk_nack", "c", 0, 2, "w0");
		assertThat(again).hasSize(1);
		assertThat(again.get(0)).containsEntry("msg_id", a).containsEntry("extra1", "tenant-a");
		assertThat((Integer) again.get(0).get("retry_count")).isGreaterThanOrEqualTo(1);
		assertThat(SqlErrors.raised(() -> this.slots.nack("pk_nack", "c", 1, 2, "w1", b, "0 seconds")))
			.contains("no open batch");
	}

	@Test
	void thePlainApiRefusesSlotsAndReservedNames() {
		this.api.createQueue("pk_plain");
		this.slots.subscribeAll("pk_plain", "w", 2);
		this.slots.send("pk_plain", "x", "tenant-a");
		this.api.tick("pk_plain");
		assertThat(SqlErrors.raised(() -> this.api.receive("pk_plain", "w#0/2"))).contains("receive_partitioned");
		this.slots.claim("pk_plain", "w", 0, "me");
		long batch = this.slots.receive("pk_plain", "w", 0, 2, "me").get(0).batchId();
		assertThat(SqlErrors.raised(() -> this.api.ack(batch))).contains("ack_partitioned");
		assertThat(SqlErrors.raised(() -> this.api.nack(batch, 1L, "1 second", null))).contains("nack_partitioned");
		assertThat(SqlErrors.raised(() -> this.api.subscribe("pk_plain", "team#1"))).contains("#");
		assertThat(
				this.jdbc.queryForObject("SELECT count(*) FROM pgque.consumer WHERE co_name = 'team#1'", Integer.class))
			.isZero();
		assertThat(SqlErrors.raised(() -> this.slots.subscribe("pk_plain", "bad#name", 0, 2))).contains("#");
		this.slots.subscribe("pk_plain", "dotted.name", 0, 1);
	}

	@Test
	void claimValidatesItsArguments() {
		this.api.createQueue("pk_claim");
		this.slots.subscribeAll("pk_claim", "c", 2);
		assertThat(SqlErrors.raised(() -> this.slots.claim("pk_claim", "c", 0, "w", "500 milliseconds")))
			.contains("lease ttl must be >= 1 second");
		assertThat(SqlErrors.raised(() -> this.slots.claim("pk_claim", "c", 0, "w", null)))
			.contains("lease ttl must be >= 1 second");
		assertThat(SqlErrors.raised(() -> this.slots.claim("pk_claim", "c", 0, "", "30 seconds")))
			.contains("worker id must not be empty");
		assertThat(SqlErrors.raised(() -> this.slots.claim("pk_claim", "c", 0, null, "30 seconds")))
			.contains("worker id must not be empty");
		assertThat(SqlErrors.raised(() -> this.slots.claim("pk_claim", "unknown", 0, "w")))
			.contains("not a partitioned consumer");
	}

	@Test
	void unsubscribingEverySlotRemovesThePinAndTheQueueDropsWithoutForce() {
		this.api.createQueue("pk_unsub");
		this.slots.subscribeAll("pk_unsub", "c", 2);
		assertThat(this.slots.claim("pk_unsub", "c", 0, "w")).isEqualTo(1L);
		this.slots.unsubscribe("pk_unsub", "c", 0);
		this.slots.unsubscribe("pk_unsub", "c", 1);
		this.slots.unsubscribe("pk_unsub", "c", 1);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgque.partition_consumer pc JOIN pgque.queue q"
				+ " USING (queue_id) WHERE q.queue_name = 'pk_unsub'", Integer.class))
			.isZero();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgque.partition_slot ls JOIN pgque.queue q"
				+ " USING (queue_id) WHERE q.queue_name = 'pk_unsub'", Integer.class))
			.isZero();
		// a new n may be chosen, and the slot's epochs continue where they were
		this.slots.subscribeAll("pk_unsub", "c", 3);
		assertThat(this.slots.claim("pk_unsub", "c", 0, "w")).isEqualTo(2L);
		for (int slot = 0; slot < 3; slot++) {
			this.slots.unsubscribe("pk_unsub", "c", slot);
		}
		assertThat(this.jdbc.queryForObject("SELECT pgque.drop_queue('pk_unsub')", Integer.class)).isOne();
	}

	@Test
	void subscribeSlotsStartsNewSlotsWhereTheConsumerStands() {
		this.api.createQueue("pk_setup");
		this.slots.subscribe("pk_setup", "c", 0, 2);
		long lost = this.slots.send("pk_setup", "x", "tenant-b");
		this.api.tick("pk_setup");
		assertThat(this.slots.subscribeAll("pk_setup", "c", 2)).isOne();
		assertThat(this.slots.subscribeAll("pk_setup", "c", 2)).isZero();
		this.slots.claim("pk_setup", "c", 1, "w");
		assertThat(this.slots.receive("pk_setup", "c", 1, 2, "w")).extracting(Message::msgId).containsExactly(lost);
		List<Map<String, Object>> status = this.slots.status("pk_setup", "c");
		assertThat(status).hasSize(2);
	}

	@Test
	void anUnsubscribedSlotShowsNoPendingCount() {
		this.api.createQueue("pk_view");
		this.slots.subscribe("pk_view", "c", 1, 3);
		List<Map<String, Object>> status = this.slots.status("pk_view", "c");
		assertThat(status).extracting((row) -> row.get("slot")).containsExactly(0, 1, 2);
		assertThat(status.get(0).get("last_tick")).isNull();
		assertThat(status.get(0).get("pending_events")).isNull();
		assertThat(status.get(0)).containsEntry("epoch", 0L);
		assertThat(status.get(1).get("pending_events")).isEqualTo(0L);
	}

}
