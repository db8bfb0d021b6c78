package io.pgque.spring.engine.api;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.pgque.spring.engine.api.ApiSql.Message;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cooperative consumers on one session at a time: registration, windows handed to members
 * in cursor order, takeover of a silent member's batch under a new id, unregistering with
 * and without batch handling, and what the plain consumer calls do with a cooperative
 * main or member.
 */
class CooperativeIntegrationTests {

	private static final AtomicInteger counter = new AtomicInteger();

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApiSql api = new ApiSql(db.jdbc());

	private final CoopSql coop = new CoopSql(db.jdbc());

	private String queue() {
		String queue = "coop" + counter.incrementAndGet();
		this.api.createQueue(queue);
		return queue;
	}

	// A window of one event: send, tick.
	private long window(String queue, String payload) {
		long id = this.api.send(queue, payload);
		this.api.tick(queue);
		return id;
	}

	@Test
	void registerReturnsOneThenZeroAndRefusesBadNames() {
		String queue = queue();
		assertThat(this.coop.register(queue, "c", "w1")).isOne();
		assertThat(this.coop.register(queue, "c", "w1")).isZero();
		assertThat(SqlErrors.raised(() -> this.coop.register(queue, "c.x", "w1"))).contains("must not contain dot");
		assertThat(SqlErrors.raised(() -> this.coop.register(queue, "c", "w.1"))).contains("must not contain dot");
		assertThat(SqlErrors.raised(() -> this.coop.register(queue, "c", ""))).contains("must not be empty");
		assertThat(SqlErrors.raised(() -> this.coop.register(queue, "", "w"))).contains("must not be empty");
		assertThat(SqlErrors.raised(() -> this.coop.register(queue, "c#1", "w"))).contains("must not contain #");
		assertThat(SqlErrors.raised(() -> this.coop.register("no_such_queue", "c", "w")))
			.contains("Event queue not created");
	}

	@Test
	void receiveCoopCreatesMainAtNewestTickAndMember() {
		String queue = queue();
		long newest = this.api.tick(queue);
		assertThat(this.coop.receive(queue, "c", "w1")).isEmpty();
		Map<String, Object> main = this.coop.row(queue, "c");
		Map<String, Object> member = this.coop.row(queue, "c.w1");
		assertThat(main).containsEntry("sub_role", "coop_main").containsEntry("sub_last_tick", newest);
		assertThat(main.get("sub_batch")).isNull();
		assertThat(member).containsEntry("sub_role", "coop_member").containsEntry("sub_id", main.get("sub_id"));
		assertThat(member.get("sub_batch")).isNull();
	}

	@Test
	void membersGetConsecutiveWindowsInCursorOrderAndTheMainNeverABatch() {
		String queue = queue();
		this.coop.register(queue, "c", "w1");
		this.coop.register(queue, "c", "w2");
		long first = window(queue, "one");
		long second = window(queue, "two");
		long cursor = (Long) this.coop.row(queue, "c").get("sub_last_tick");
		List<Message> w1 = this.coop.receive(queue, "c", "w1");
		assertThat((Long) this.coop.row(queue, "c").get("sub_last_tick")).isGreaterThan(cursor);
		List<Message> w2 = this.coop.receive(queue, "c", "w2");
		assertThat(w1).extracting(Message::msgId).containsExactly(first);
		assertThat(w2).extracting(Message::msgId).containsExactly(second);
		assertThat(w1.get(0).batchId()).isNotEqualTo(w2.get(0).batchId());
		Map<String, Object> main = this.coop.row(queue, "c");
		assertThat(main.get("sub_batch")).isNull();
		assertThat(main.get("sub_next_tick")).isNull();
		// the same batch again before ack
		assertThat(this.coop.receive(queue, "c", "w1")).isEqualTo(w1);
		assertThat(this.api.ack(w1.get(0).batchId())).isOne();
		Map<String, Object> member = this.coop.row(queue, "c.w1");
		assertThat(member.get("sub_batch")).isNull();
		assertThat(member.get("sub_last_tick")).isNull();
		assertThat(db.jdbc().queryForObject("SELECT pgque.finish_batch(?)", Integer.class, w2.get(0).batchId()))
			.isOne();
		assertThat(this.coop.row(queue, "c.w2").get("sub_batch")).isNull();
	}

	@Test
	void takeoverGivesSilentMembersBatchANewIdAndKillsTheOldOne() {
		String queue = queue();
		this.coop.register(queue, "c", "idle");
		this.coop.register(queue, "c", "w1");
		long event = window(queue, "slow");
		List<Message> victim = this.coop.receive(queue, "c", "w1");
		long oldBatch = victim.get(0).batchId();
		// not yet silent long enough: no takeover, and nothing else pending
		assertThat(this.coop.receive(queue, "c", "w2", "1 minute")).isEmpty();
		this.coop.silence(queue, "c.w1", 120);
		this.coop.silence(queue, "c.idle", 600);
		Object idleActive = this.coop.row(queue, "c.idle").get("sub_active");
		List<Message> taken = this.coop.receive(queue, "c", "w2", "1 minute");
		assertThat(taken).extracting(Message::msgId).containsExactly(event);
		long newBatch = taken.get(0).batchId();
		assertThat(newBatch).isNotEqualTo(oldBatch);
		// the idle member (no batch) was never a candidate and was not touched
		assertThat(this.coop.row(queue, "c.idle").get("sub_active")).isEqualTo(idleActive);
		assertThat(this.coop.row(queue, "c.w1").get("sub_batch")).isNull();
		assertThat(this.api.ack(oldBatch)).isZero();
		assertThat(SqlErrors.raised(() -> this.api.nack(oldBatch, event, "0 seconds", null)))
			.startsWith("batch not found:");
		assertThat(this.coop.row(queue, "c.w2").get("sub_batch")).isEqualTo(newBatch);
		assertThat(this.api.ack(newBatch)).isOne();
	}

	@Test
	void unregisterWithOpenBatchRefusesOrRetriesAndDemotesTheLastMember() {
		String queue = queue();
		this.coop.register(queue, "solo", "w1");
		long event = window(queue, "held");
		long batch = this.coop.receive(queue, "solo", "w1").get(0).batchId();
		assertThat(SqlErrors.raised(() -> this.coop.unregister(queue, "solo", "w1", 0)))
			.contains("cannot unregister active cooperative subconsumer");
		assertThat(SqlErrors.raised(() -> this.coop.unregister(queue, "solo", "w1", 2)))
			.startsWith("unsupported batch_handling value");
		assertThat(SqlErrors.raised(() -> this.coop.unregister(queue, "solo", "w1", null)))
			.startsWith("unsupported batch_handling value");
		assertThat(this.coop.row(queue, "solo.w1").get("sub_batch")).isEqualTo(batch);

		assertThat(this.coop.unregister(queue, "solo", "w1", 1)).isOne();
		assertThat(this.coop.unregister(queue, "solo", "w1", 1)).isZero();
		assertThat(db.jdbc()
			.queryForObject("SELECT ev_owner FROM pgque.retry_queue WHERE ev_queue = ? AND ev_id = ?", Integer.class,
					this.api.engine().queueId(queue), event))
			.isEqualTo(this.coop.row(queue, "solo").get("sub_id"));
		assertThat(this.api.ack(batch)).isZero();
		assertThat(this.coop.consumerExists("solo.w1")).isFalse();
		assertThat(this.coop.row(queue, "solo")).containsEntry("sub_role", "normal");
		assertThat(this.api.engine().unsubscribe(queue, "solo")).isOne();
	}

	@Test
	void unregisterWithBatchHandlingDeadLettersPastTheRetryLimitKeepingTheTxid() {
		String queue = queue();
		this.api.setConfig(queue, "max_retries", "0");
		this.coop.register(queue, "c", "keep");
		this.coop.register(queue, "c", "w1");
		long event = window(queue, "doomed");
		this.coop.receive(queue, "c", "w1");
		long txid = db.jdbc()
			.queryForObject("SELECT ev_txid::text::bigint FROM pgque.event_template WHERE ev_data = 'doomed'",
					Long.class);
		assertThat(this.coop.unregister(queue, "c", "w1", 1)).isOne();
		assertThat(db.jdbc()
			.queryForMap("SELECT dl_reason, ev_txid::text::bigint AS txid FROM pgque.dead_letter"
					+ " WHERE dl_queue_id = ? AND ev_id = ?", this.api.engine().queueId(queue), event))
			.containsEntry("dl_reason", "subconsumer unregistered")
			.containsEntry("txid", txid);
	}

	@Test
	void aRoutingFailureLeavesTheMemberAndItsBatch() {
		String queue = queue();
		this.coop.register(queue, "c", "w1");
		long event = window(queue, "stuck");
		long batch = this.coop.receive(queue, "c", "w1").get(0).batchId();
		// an existing row the insert cannot pass: a retry row with a NULL queue is
		// refused by NOT NULL
		db.jdbc()
			.execute("CREATE FUNCTION pgque_fail_retry() RETURNS trigger LANGUAGE plpgsql AS"
					+ " $$ BEGIN RAISE EXCEPTION 'retry refused'; END $$");
		db.jdbc()
			.execute("CREATE TRIGGER fail_retry BEFORE INSERT ON pgque.retry_queue FOR EACH ROW"
					+ " EXECUTE FUNCTION pgque_fail_retry()");
		try {
			assertThat(SqlErrors.raised(() -> this.coop.unregister(queue, "c", "w1", 1))).contains("retry refused");
		}
		finally {
			db.jdbc().execute("DROP TRIGGER fail_retry ON pgque.retry_queue");
			db.jdbc().execute("DROP FUNCTION pgque_fail_retry()");
		}
		assertThat(this.coop.row(queue, "c.w1").get("sub_batch")).isEqualTo(batch);
		assertThat(this.coop.receive(queue, "c", "w1")).extracting(Message::msgId).containsExactly(event);
	}

	@Test
	void legacyUnregisterOnMainAndMember() {
		String queue = queue();
		this.coop.register(queue, "c", "w1");
		this.coop.register(queue, "c", "w2");
		assertThat(SqlErrors.raised(() -> this.api.engine().unsubscribe(queue, "c")))
			.contains("cannot unregister cooperative main consumer with registered subconsumers");
		assertThat(this.coop.row(queue, "c.w1")).isNotEmpty();
		window(queue, "x");
		this.coop.receive(queue, "c", "w1");
		assertThat(SqlErrors.raised(() -> this.api.engine().unsubscribe(queue, "c.w1")))
			.contains("cannot unregister active cooperative subconsumer without forced batch handling");
		assertThat(this.api.engine().unsubscribe(queue, "c.w2")).isOne();
		assertThat(this.coop.consumerExists("c.w2")).isFalse();
		assertThat(this.coop.row(queue, "c")).containsEntry("sub_role", "coop_main");
		this.coop.unregister(queue, "c", "w1", 1);
		assertThat(this.coop.row(queue, "c")).containsEntry("sub_role", "normal");
	}

	@Test
	void legacyUnregisterOfTheLastMemberDemotesTheMain() {
		String queue = queue();
		this.coop.register(queue, "c", "w1");
		assertThat(this.api.engine().unsubscribe(queue, "c.w1")).isOne();
		assertThat(this.coop.row(queue, "c")).containsEntry("sub_role", "normal");
	}

	@Test
	void touchRefreshesAMemberAndCreatesNothing() {
		String queue = queue();
		this.coop.register(queue, "c", "idle");
		window(queue, "x");
		long batch = this.coop.receive(queue, "c", "busy").get(0).batchId();
		this.coop.silence(queue, "c.idle", 600);
		this.coop.silence(queue, "c.busy", 600);
		Object before = this.coop.row(queue, "c.busy").get("sub_active");
		assertThat(this.coop.touch(queue, "c", "idle")).isOne();
		assertThat(this.coop.touch(queue, "c", "busy")).isOne();
		assertThat(this.coop.row(queue, "c.busy").get("sub_active")).isNotEqualTo(before);
		assertThat(this.coop.row(queue, "c.busy").get("sub_batch")).isEqualTo(batch);
		assertThat(this.coop.touch(queue, "c", "nobody")).isZero();
		assertThat(this.coop.touch("no_such_queue", "c", "idle")).isZero();
		assertThat(this.coop.touch(queue, "other", "idle")).isZero();
		assertThat(this.coop.consumerExists("c.nobody")).isFalse();
		assertThat(this.coop.consumerExists("other.idle")).isFalse();
	}

	@Test
	void legacyCallsRefuseAMainWithMembersAndAnyMember() {
		String queue = queue();
		this.coop.register(queue, "c", "w1");
		window(queue, "x");
		assertThat(SqlErrors.raised(() -> this.api.engine().nextBatch(queue, "c")))
			.contains("cooperative main consumer");
		assertThat(SqlErrors.raised(() -> this.api.receive(queue, "c"))).contains("cooperative main consumer");
		assertThat(SqlErrors.raised(
				() -> db.jdbc().queryForList("SELECT * FROM pgque.next_batch_custom(?, 'c', NULL, NULL, NULL)", queue)))
			.contains("cooperative main consumer");
		assertThat(SqlErrors.raised(() -> this.api.engine().nextBatch(queue, "c.w1")))
			.contains("cooperative subconsumer");
		assertThat(SqlErrors.raised(() -> this.api.receive(queue, "c.w1"))).contains("cooperative subconsumer");
		assertThat(SqlErrors.raised(() -> db.jdbc()
			.queryForList("SELECT * FROM pgque.next_batch_custom(?, 'c.w1', NULL, NULL, NULL)", queue)))
			.contains("cooperative subconsumer");
	}

	@Test
	void aMemberCannotBeRepositionedButTheMainMovesTheGroupCursor() {
		String queue = queue();
		long start = this.api.tick(queue);
		this.coop.register(queue, "c", "w1");
		window(queue, "x");
		assertThat(SqlErrors.raised(() -> db.jdbc()
			.queryForObject("SELECT pgque.register_consumer_at(?, 'c.w1', ?)", Integer.class, queue, start)))
			.contains("cannot reposition cooperative subconsumer");
		assertThat(this.api.subscribe(queue, "c.w1")).isZero();
		assertThat(this.api.subscribe(queue, "c")).isZero();
		this.coop.receive(queue, "c", "w1");
		db.jdbc().queryForObject("SELECT pgque.register_consumer_at(?, 'c', ?)", Integer.class, queue, start);
		assertThat(this.coop.row(queue, "c")).containsEntry("sub_last_tick", start)
			.containsEntry("sub_role", "coop_main");
	}

	@Test
	void normalConsumerConvertsOnlyExplicitlyAndWithoutOpenBatch() {
		String queue = queue();
		this.api.subscribe(queue, "n");
		window(queue, "a");
		assertThat(SqlErrors.raised(() -> this.coop.register(queue, "n", "w1")))
			.contains("is already a normal consumer");
		long batch = this.api.receive(queue, "n").get(0).batchId();
		assertThat(SqlErrors.raised(() -> this.coop.convert(queue, "n", "w1")))
			.startsWith("cannot convert active normal consumer");
		this.api.ack(batch);
		Object subId = this.coop.row(queue, "n").get("sub_id");
		assertThat(this.coop.convert(queue, "n", "w1")).isOne();
		assertThat(this.coop.row(queue, "n")).containsEntry("sub_role", "coop_main").containsEntry("sub_id", subId);
		long next = window(queue, "b");
		assertThat(this.coop.receive(queue, "n", "w1")).extracting(Message::msgId).containsExactly(next);
	}

	@Test
	void memberlessMainGivenToLegacyNextBatchOpensNothing() {
		String queue = queue();
		this.api.subscribe(queue, "m");
		db.jdbc()
			.update("UPDATE pgque.subscription SET sub_role = 'coop_main' WHERE sub_queue = ? AND sub_consumer ="
					+ " (SELECT co_id FROM pgque.consumer WHERE co_name = 'm')", this.api.engine().queueId(queue));
		window(queue, "x");
		assertThat(this.api.engine().nextBatch(queue, "m")).isNull();
		assertThat(this.coop.row(queue, "m")).containsEntry("sub_role", "coop_main");
		assertThat(this.coop.row(queue, "m").get("sub_batch")).isNull();
	}

	@Test
	void finishingAMainsBatchRaises() {
		String queue = queue();
		this.coop.register(queue, "c", "w1");
		db.jdbc()
			.update("UPDATE pgque.subscription SET sub_batch = 987654321 WHERE sub_role = 'coop_main'"
					+ " AND sub_consumer = (SELECT co_id FROM pgque.consumer WHERE co_name = 'c') AND sub_queue = ?",
					this.api.engine().queueId(queue));
		try {
			assertThat(SqlErrors.raised(() -> this.api.ack(987654321)))
				.startsWith("cannot finish cooperative main consumer batch");
		}
		finally {
			db.jdbc().update("UPDATE pgque.subscription SET sub_batch = NULL WHERE sub_batch = 987654321");
		}
	}

	@Test
	void memberNackRetriesUnderTheGroupAndTheEventComesBack() {
		String queue = queue();
		this.coop.register(queue, "c", "w1");
		long event = window(queue, "again");
		long batch = this.coop.receive(queue, "c", "w1").get(0).batchId();
		assertThat(this.api.nack(batch, event, "0 seconds", null)).isOne();
		assertThat(db.jdbc()
			.queryForObject("SELECT ev_owner FROM pgque.retry_queue WHERE ev_queue = ? AND ev_id = ?", Integer.class,
					this.api.engine().queueId(queue), event))
			.isEqualTo(this.coop.row(queue, "c").get("sub_id"));
		this.api.ack(batch);
		assertThat(this.api.maintRetryEvents()).isOne();
		this.api.tick(queue);
		List<Message> again = this.coop.receive(queue, "c", "w2");
		assertThat(again).extracting(Message::msgId).containsExactly(event);
		assertThat(again.get(0).retryCount()).isOne();
	}

	@Test
	void deadLettersOfAMemberSurviveItsRemovalAndGoWithTheMain() {
		String queue = queue();
		this.api.setConfig(queue, "max_retries", "0");
		this.coop.register(queue, "c", "w1");
		long event = window(queue, "dead");
		long batch = this.coop.receive(queue, "c", "w1").get(0).batchId();
		this.api.nack(batch, event, "0 seconds", "bad");
		this.api.ack(batch);
		assertThat(this.api.deadLetterCount(queue)).isOne();
		this.coop.unregister(queue, "c", "w1", 0);
		assertThat(this.api.deadLetterCount(queue)).isOne();
		this.api.engine().unsubscribe(queue, "c");
		assertThat(this.api.deadLetterCount(queue)).isZero();
	}

	@Test
	void emptyWindowIsFinishedAndLaterEventsArrive() {
		String queue = queue();
		this.coop.register(queue, "c", "w1");
		this.api.tick(queue);
		assertThat(this.coop.receive(queue, "c", "w1")).isEmpty();
		assertThat(this.coop.row(queue, "c.w1").get("sub_batch")).isNull();
		long event = window(queue, "later");
		assertThat(this.coop.receive(queue, "c", "w1")).extracting(Message::msgId).containsExactly(event);
	}

	@Test
	void receiveCoopRefusesALimitBelowOne() {
		String queue = queue();
		for (int limit : new int[] { 0, -5 }) {
			assertThat(SqlErrors.raised(
					() -> db.jdbc().queryForList("SELECT * FROM pgque.receive_coop(?, 'c', 'w1', ?)", queue, limit)))
				.contains("max_return must be >= 1");
		}
		assertThat(this.coop.row(queue, "c")).isEmpty();
	}

	@Test
	void normalConsumerAndGroupBothGetEveryEvent() {
		String queue = queue();
		this.api.subscribe(queue, "plain");
		this.coop.register(queue, "c", "w1");
		long a = window(queue, "a");
		long b = window(queue, "b");
		List<Message> plain = this.api.receive(queue, "plain");
		List<Message> first = this.coop.receive(queue, "c", "w1");
		List<Message> second = this.coop.receive(queue, "c", "w2");
		assertThat(plain).extracting(Message::msgId).containsExactly(a);
		assertThat(first).extracting(Message::msgId).containsExactly(a);
		assertThat(second).extracting(Message::msgId).containsExactly(b);
	}

	@Test
	void nextBatchCustomWithMinIntervalWaitsForAnOldEnoughTick() {
		String queue = queue();
		this.coop.register(queue, "c", "w1");
		window(queue, "a");
		assertThat(db.jdbc()
			.queryForObject("SELECT batch_id FROM pgque.next_batch_custom(?, 'c', 'w1', NULL, NULL, '1 hour')",
					Long.class, queue))
			.isNull();
		assertThat(db.jdbc()
			.queryForObject("SELECT batch_id FROM pgque.next_batch_custom(?, 'c', 'w1', NULL, NULL, '0 seconds')",
					Long.class, queue))
			.isNotNull();
	}

	@Test
	void consumerInfoListsMainAndMembers() {
		String queue = queue();
		this.coop.register(queue, "c", "w1");
		assertThat(db.jdbc().queryForList("SELECT consumer_name FROM pgque.get_consumer_info(?)", String.class, queue))
			.containsExactly("c", "c.w1");
		assertThat(db.jdbc()
			.queryForMap("SELECT lag, last_tick, next_tick FROM pgque.get_consumer_info(?, 'c.w1')", queue)
			.values()).containsOnlyNulls();
	}

	@Test
	void dropQueueWithForceRemovesAGroup() {
		String queue = queue();
		this.coop.register(queue, "dropper", "w1");
		this.coop.register(queue, "dropper", "w2");
		window(queue, "x");
		this.coop.receive(queue, "dropper", "w1");
		assertThat(this.api.engine().dropQueue(queue, true)).isOne();
		assertThat(this.coop.consumerExists("dropper.w1")).isFalse();
		assertThat(this.coop.consumerExists("dropper")).isFalse();
	}

	@Test
	void theReaderRunsTheCooperativeCallsAndNobodyButTheOwnerTheHelpers() {
		List<String> granted = db.jdbc()
			.queryForList("SELECT DISTINCT p.proname || ':' || r.rolname FROM pg_proc p"
					+ " CROSS JOIN (VALUES ('pgque_reader'), ('pgque_writer'), ('pgque_admin')) r(rolname)"
					+ " WHERE p.pronamespace = 'pgque'::regnamespace AND p.proname IN ('register_subconsumer',"
					+ " 'subscribe_subconsumer', 'unregister_subconsumer', 'unsubscribe_subconsumer', 'receive_coop',"
					+ " 'touch_subconsumer', 'next_batch_custom', 'next_batch', '_validate_coop_names',"
					+ " '_clear_member_cursor', '_coop_lock_consumer', '_coop_demote_if_memberless')"
					+ " AND has_function_privilege(r.rolname, p.oid, 'EXECUTE')", String.class);
		assertThat(granted).containsExactlyInAnyOrder("register_subconsumer:pgque_reader",
				"register_subconsumer:pgque_admin", "subscribe_subconsumer:pgque_reader",
				"subscribe_subconsumer:pgque_admin", "unregister_subconsumer:pgque_reader",
				"unregister_subconsumer:pgque_admin", "unsubscribe_subconsumer:pgque_reader",
				"unsubscribe_subconsumer:pgque_admin", "receive_coop:pgque_reader", "receive_coop:pgque_admin",
				"touch_subconsumer:pgque_reader", "touch_subconsumer:pgque_admin", "next_batch_custom:pgque_reader",
				"next_batch_custom:pgque_admin", "next_batch:pgque_reader", "next_batch:pgque_admin");
	}

}
