package io.pgque.spring.listener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.listener.pipeline.PgqueTransactionMode;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Keyed workers ({@code ordering = KEY}) across application contexts (standing in for
 * JVMs): per-key order with many workers and faults, exactly-once effects, slots
 * rebalanced as contexts come and go, and configuration errors that name the listener.
 */
class PgqueListenerKeyedIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	// handler order across every context of a test, and keys found in two handlers at
	// once
	static final AtomicLong handled = new AtomicLong();

	static final Set<String> keysInHand = ConcurrentHashMap.newKeySet();

	static final List<String> overlaps = new CopyOnWriteArrayList<>();

	static final Map<Integer, Integer> handledByContext = new ConcurrentHashMap<>();

	// a handler of context 1 that meets a "block:" event waits here
	static volatile CountDownLatch blocked = new CountDownLatch(1);

	static volatile CountDownLatch release = new CountDownLatch(0);

	static final List<Integer> takenOver = new CopyOnWriteArrayList<>();

	private final ListenerTestSupport support = new ListenerTestSupport(db);

	private final List<HikariDataSource> pools = new CopyOnWriteArrayList<>();

	@AfterEach
	void closePools() {
		this.pools.forEach(HikariDataSource::close);
		overlaps.clear();
		keysInHand.clear();
		handledByContext.clear();
		takenOver.clear();
		release.countDown();
	}

	@Test
	void runWhenThreeContextsRunFourKeyedWorkersEachWithFaultsShouldHandleEveryKeyInSendOrderExactlyOnce()
			throws Exception {
		String queue = "keyed_order";
		int keys = 1000;
		int perKey = 50;
		int total = keys * perKey;
		prepare(queue, 16);
		// preloaded, a tick per 1,000 events (one event of every key each), so the
		// workers are not capped by how fast events arrive
		for (int round = 0; round < perKey; round++) {
			db.jdbc()
				.queryForObject("SELECT count(pgque.send(?, 'test', 'k' || k || ':' || ?, 'k' || k))"
						+ " FROM generate_series(0, ? - 1) k", Long.class, queue, round, keys);
			this.support.tick(queue);
		}
		AtomicBoolean ticking = new AtomicBoolean(true);
		Thread ticker = this.support.ticker(queue, ticking, 50);
		long started = System.nanoTime();
		context(queue, 1, 4, 16).run((c1) -> context(queue, 2, 4, 16).run((c2) -> context(queue, 3, 4, 16).run((c3) -> {
			ticker.start();
			try {
				await().atMost(Duration.ofSeconds(60)).until(() -> committed(queue) >= total / 5);
				// a worker's connection dies under it, mid-batch or between batches
				int killed = db.jdbc()
					.queryForObject("SELECT count(pg_terminate_backend(pid)) FROM (SELECT pid FROM pg_stat_activity"
							+ " WHERE datname = current_database() AND application_name = 'ctx1'"
							+ " ORDER BY (state = 'idle in transaction') DESC, (state = 'active') DESC LIMIT 1) p",
							Integer.class);
				assertThat(killed).isOne();
				await().atMost(Duration.ofSeconds(60)).until(() -> committed(queue) >= total / 2);
				// and a whole instance goes: its workers finish their batches and give
				// their slots back
				c2.close();
				await().atMost(Duration.ofSeconds(90)).until(() -> committed(queue) >= total);
			}
			finally {
				ticking.set(false);
				ticker.join();
			}
			// the slots of the closed context are taken over by the others
			await().atMost(Duration.ofSeconds(20)).until(() -> slotsHeld(c1) + slotsHeld(c3) == 16);
			assertThat(distinctSlots(c1, c3)).isEqualTo(16);
		})));
		long millis = (System.nanoTime() - started) / 1_000_000;
		System.out.println("keyed 3 x 4, 16 slots: " + total + " events of " + keys + " keys in " + millis
				+ " ms, handled per context " + handledByContext);
		this.support.assertExactlyOnce("keyed_results", queue, total);
		assertThat(outOfOrder(queue, perKey)).as("keys whose handled sequence is not their sent sequence").isEmpty();
		assertThat(db.jdbc()
			.queryForObject("SELECT count(DISTINCT key) FROM keyed_results WHERE queue = ?", Integer.class, queue))
			.isEqualTo(keys);
		assertThat(overlaps).as("keys handled by two workers at once").isEmpty();
		assertThat(handledByContext).as("contexts that handled events").containsKeys(1, 2, 3);
	}

	@ParameterizedTest
	@EnumSource(value = PgqueTransactionMode.class, names = { "SAVEPOINT", "REPLAY", "AT_LEAST_ONCE" })
	void runInEveryTransactionModeShouldKeepKeyOrderAndNackAndDeadLetterPerSlot(PgqueTransactionMode mode)
			throws Exception {
		String queue = "keyed_mode_" + mode.name().toLowerCase(Locale.ROOT);
		prepare(queue, 4);
		int keys = 20;
		int perKey = 10;
		for (int round = 0; round < perKey; round++) {
			db.jdbc()
				.queryForObject("SELECT count(pgque.send(?, 'test', 'k' || k || ':' || ?, 'k' || k))"
						+ " FROM generate_series(0, ? - 1) k", Long.class, queue, round, keys);
			this.support.tick(queue);
		}
		// one event to retry later, one to dead-letter at once, in batches of their own
		long retried = db.jdbc().queryForObject("SELECT pgque.send(?, 'test', 'retry:0', 'other')", Long.class, queue);
		this.support.tick(queue);
		long dead = db.jdbc().queryForObject("SELECT pgque.send(?, 'test', 'dead:0', 'other')", Long.class, queue);
		this.support.tick(queue);
		context(queue, 1, 2, 4)
			.withPropertyValues("pgque.listener.transaction-mode=" + mode, "pgque.listener.retry.max-attempts=1",
					"pgque.listener.not-retryable-exceptions=java.lang.UnsupportedOperationException")
			.run((c1) -> {
				await().atMost(Duration.ofSeconds(30)).until(() -> committed(queue) >= keys * perKey);
				await().atMost(Duration.ofSeconds(30)).until(() -> retryPending(queue, retried));
				this.support.moveRetriesAndTick(queue);
				await().atMost(Duration.ofSeconds(30)).until(() -> committed(queue) >= keys * perKey + 1);
			});
		this.support.assertExactlyOnce("keyed_results", queue, keys * perKey + 1);
		assertThat(outOfOrder(queue, perKey)).isEmpty();
		assertThat(db.jdbc()
			.queryForList("SELECT d.ev_id FROM pgque.dead_letter d JOIN pgque.queue q ON q.queue_id = d.dl_queue_id"
					+ " WHERE q.queue_name = ?", Long.class, queue))
			.containsExactly(dead);
	}

	@Test
	void runWhenBatchesHaveNoEventOfASlotShouldGoOnWithoutWaitingForAWakeUp() throws Exception {
		String queue = "keyed_empty";
		prepare(queue, 2);
		// ticks without events before the container starts: no notification will come
		for (int i = 0; i < 5; i++) {
			this.support.tick(queue);
		}
		db.jdbc().queryForObject("SELECT pgque.send(?, 'test', 'k1:0', 'k1')", Long.class, queue);
		this.support.tick(queue);
		// one worker; it looks at the slots again only after 15 s (a quarter of 60 s)
		context(queue, 1, 1, 2).withPropertyValues("pgque.listener.dead-interval=60s").run((c1) -> {
			await().atMost(Duration.ofSeconds(8)).until(() -> committed(queue) == 1);
		});
	}

	@Test
	void runAtLeastOnceWhenAHandlerOutlivesTheSlotLeaseShouldHaveTheSlotTakenOverAndTheLateAckFenced()
			throws Exception {
		String queue = "keyed_hung";
		prepareBlockingFirst(queue);
		String atLeastOnce = "pgque.listener.transaction-mode=at-least-once";
		context(queue, 1, 1, 1).withPropertyValues(atLeastOnce).run((c1) -> {
			assertThat(blocked.await(20, TimeUnit.SECONDS)).isTrue();
			context(queue, 2, 1, 1).withPropertyValues(atLeastOnce).run((c2) -> {
				// the lease (2 s) runs out under the hung handler: context 2 takes the
				// slot, gets the same open batch and acks it
				await().atMost(Duration.ofSeconds(20)).until(() -> committed(queue) == 1);
				assertThat(slotsHeld(c2)).isOne();
				release.countDown();
				// the hung handler goes on (at least once: its write is its own), but its
				// ack is refused, and it drops the slot
				await().atMost(Duration.ofSeconds(20)).until(() -> takenOver.contains(1));
				assertThat(slotsHeld(c1)).isZero();
				// the heir's ack stands: the batch does not come a third time
				this.support.tick(queue);
				Thread.sleep(500);
				assertThat(committed(queue)).isEqualTo(2);
			});
		});
		assertThat(db.jdbc()
			.queryForList("SELECT ctx FROM keyed_results WHERE queue = ? ORDER BY handled", Integer.class, queue))
			.containsExactly(2, 1);
	}

	@Test
	void runInSavepointModeWhenAHandlerOutlivesTheSlotLeaseShouldKeepTheSlotUntilItsTransactionEnds() throws Exception {
		String queue = "keyed_hung_tx";
		prepareBlockingFirst(queue, "k:1");
		context(queue, 1, 1, 1).run((c1) -> {
			assertThat(blocked.await(20, TimeUnit.SECONDS)).isTrue();
			context(queue, 2, 1, 1).run((c2) -> {
				// twice the lease (2 s): the receive locked the lease row until
				// commit, so context 2 cannot take the slot, and the key's next
				// event waits
				Thread.sleep(4000);
				assertThat(slotsHeld(c2)).isZero();
				assertThat(committed(queue)).isZero();
				release.countDown();
				await().atMost(Duration.ofSeconds(20)).until(() -> committed(queue) == 2);
			});
		});
		assertThat(takenOver).isEmpty();
		assertThat(db.jdbc()
			.queryForList("SELECT ctx FROM keyed_results WHERE queue = ? ORDER BY handled", Integer.class, queue))
			.containsExactly(1, 1);
	}

	@Test
	void runWhenContextsStartAndStopShouldRebalanceTheSlots() throws Exception {
		String queue = "keyed_rebalance";
		prepare(queue, 8);
		context(queue, 1, 2, 8).run((c1) -> {
			await().atMost(Duration.ofSeconds(20)).until(() -> slotsHeld(c1) == 8);
			context(queue, 2, 2, 8).run((c2) -> {
				// four workers alive: two slots each, the newcomers' from the first two
				await().atMost(Duration.ofSeconds(20))
					.until(() -> slotsPerWorker(c1).equals(List.of(2, 2)) && slotsPerWorker(c2).equals(List.of(2, 2)));
				assertThat(distinctSlots(c1, c2)).as("no slot held twice").isEqualTo(8);
			});
			// the second context gave its slots back on stop
			await().atMost(Duration.ofSeconds(20)).until(() -> slotsHeld(c1) == 8);
			assertThat(slotsPerWorker(c1)).isEqualTo(List.of(4, 4));
		});
	}

	@Test
	void startWhenOrderingIsUnknownShouldFailNamingTheListener() {
		this.support.contextRunner(db.dataSource())
			.withPropertyValues("test.queue=keyed_bad", "test.ordering=SORTED", "test.slots=4")
			.withUserConfiguration(ConfigurableKeyedListener.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining(ConfigurableKeyedListener.class.getName() + ".on")
				.hasMessageContaining("'ordering' must be NONE or KEY but was 'SORTED'"));
	}

	@Test
	void startWhenKeySlotsAreOutOfRangeShouldFailNamingTheListener() {
		this.support.contextRunner(db.dataSource())
			.withPropertyValues("test.queue=keyed_bad", "test.ordering=KEY", "test.slots=2000")
			.withUserConfiguration(ConfigurableKeyedListener.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining(ConfigurableKeyedListener.class.getName() + ".on")
				.hasMessageContaining("'keySlots' must be a number from 1 to 1024 but was '2000'"));
	}

	@Test
	void startWhenTheConsumerIsPinnedToAnotherSlotCountShouldFailNamingIt() {
		String queue = "keyed_pinned";
		prepare(queue, 8);
		this.support.contextRunner(db.dataSource())
			.withPropertyValues("test.queue=" + queue, "test.ordering=KEY", "test.slots=4")
			.withUserConfiguration(ConfigurableKeyedListener.class)
			.run((context) -> assertThat(context).getFailure().hasStackTraceContaining("pinned to n=8; got n=4"));
	}

	// one slot; key k's first event blocks its handler until released, the given ones
	// of the same key follow it in one batch
	private void prepareBlockingFirst(String queue, String... following) {
		prepare(queue, 1);
		blocked = new CountDownLatch(1);
		release = new CountDownLatch(1);
		db.jdbc().queryForObject("SELECT pgque.send(?, 'test', 'block:0', 'k')", Long.class, queue);
		for (String payload : following) {
			db.jdbc().queryForObject("SELECT pgque.send(?, 'test', ?, 'k')", Long.class, queue, payload);
		}
		this.support.tick(queue);
	}

	private void prepare(String queue, int slots) {
		this.support.createQueue(queue);
		db.jdbc().queryForObject("SELECT pgque.subscribe_slots(?, 'keyed', ?)", Integer.class, queue, slots);
		db.jdbc()
			.execute("CREATE TABLE IF NOT EXISTS keyed_results (queue text, key text, seq int, ev_id bigint,"
					+ " handled bigint, ctx int)");
	}

	private ApplicationContextRunner context(String queue, int ctx, int concurrency, int slots) {
		HikariDataSource pool = this.support.pool("ctx" + ctx, concurrency + 2);
		this.pools.add(pool);
		return this.support.contextRunner(pool)
			.withPropertyValues("test.ctx=" + ctx, "test.queue=" + queue, "test.concurrency=" + concurrency,
					"test.slots=" + slots, "pgque.listener.dead-interval=2s", "pgque.listener.instance-id=ctx" + ctx,
					"pgque.listener.max-batch-size=100")
			.withUserConfiguration(KeyedListener.class);
	}

	private static int slotsHeld(ConfigurableApplicationContext context) {
		return slotsPerWorker(context).stream().mapToInt(Integer::intValue).sum();
	}

	private static List<Integer> slotsPerWorker(ConfigurableApplicationContext context) {
		List<Integer> counts = new ArrayList<>();
		for (PgqueContainerMember member : members(context)) {
			counts.add(member.slots().size());
		}
		return counts;
	}

	private static long distinctSlots(ConfigurableApplicationContext... contexts) {
		List<Integer> slots = new ArrayList<>();
		for (ConfigurableApplicationContext context : contexts) {
			members(context).forEach((member) -> slots.addAll(member.slots()));
		}
		assertThat(slots).doesNotHaveDuplicates();
		return slots.size();
	}

	private static List<PgqueContainerMember> members(ConfigurableApplicationContext context) {
		return context.getBean(PgqueListenerContainerRegistry.class)
			.getListenerContainers()
			.stream()
			.flatMap((container) -> container.getMembers().stream())
			.toList();
	}

	// keys k<n> whose committed sequence is not 0..perKey-1 in handler order
	private static List<String> outOfOrder(String queue, int perKey) {
		return db.jdbc()
			.queryForList("SELECT key FROM (SELECT key, array_agg(seq ORDER BY handled) AS seqs FROM keyed_results"
					+ " WHERE queue = ? AND key LIKE 'k%' GROUP BY key) k"
					+ " WHERE seqs <> ARRAY(SELECT generate_series(0, ? - 1))", String.class, queue, perKey);
	}

	private static boolean retryPending(String queue, long eventId) {
		return db.jdbc()
			.queryForObject(
					"SELECT EXISTS (SELECT 1 FROM pgque.retry_queue r JOIN pgque.queue q"
							+ " ON q.queue_id = r.ev_queue WHERE q.queue_name = ? AND r.ev_id = ?)",
					Boolean.class, queue, eventId);
	}

	private long committed(String queue) {
		return db.jdbc().queryForObject("SELECT count(*) FROM keyed_results WHERE queue = ?", Long.class, queue);
	}

	// a row per event, written in the batch transaction with one statement per slice
	@Configuration(proxyBeanMethods = false)
	static class KeyedListener {

		private final JdbcTemplate jdbc;

		private final Environment environment;

		KeyedListener(DataSource dataSource, Environment environment) {
			this.jdbc = new JdbcTemplate(dataSource);
			this.environment = environment;
		}

		@PgqueListener(queue = "${test.queue}", consumer = "keyed", ordering = "KEY",
				concurrency = "${test.concurrency}", keySlots = "${test.slots}")
		void on(List<PgqueMessage> messages) throws InterruptedException {
			int size = messages.size();
			String[] keys = new String[size];
			Integer[] seqs = new Integer[size];
			Long[] ids = new Long[size];
			Long[] order = new Long[size];
			Set<String> mine = new HashSet<>();
			try {
				for (int i = 0; i < size; i++) {
					PgqueMessage message = messages.get(i);
					String payload = message.payload();
					if (payload.startsWith("block:") && ctx() == 1) {
						blocked.countDown();
						release.await(30, TimeUnit.SECONDS);
					}
					if (payload.startsWith("dead:")) {
						throw new UnsupportedOperationException("not for this listener");
					}
					if (payload.startsWith("retry:") && message.retryCount() == null) {
						throw new IllegalStateException("not yet");
					}
					int colon = payload.indexOf(':');
					keys[i] = payload.substring(0, colon);
					if (mine.add(keys[i]) && !keysInHand.add(keys[i])) {
						overlaps.add(keys[i]);
					}
					seqs[i] = Integer.parseInt(payload.substring(colon + 1));
					ids[i] = message.id();
					order[i] = handled.incrementAndGet();
				}
				this.jdbc.update(
						"INSERT INTO keyed_results (queue, key, seq, ev_id, handled, ctx)"
								+ " SELECT ?, k, s, i, h, ? FROM unnest(?::text[], ?::int[], ?::bigint[], ?::bigint[])"
								+ " u(k, s, i, h)",
						this.environment.getProperty("test.queue"), ctx(), keys, seqs, ids, order);
				handledByContext.merge(ctx(), size, Integer::sum);
			}
			finally {
				keysInHand.removeAll(mine);
			}
		}

		@EventListener
		void on(PgqueListenerContainerEvent event) {
			if (event.getKind() == PgqueListenerContainerEvent.Kind.BATCH_TAKEN_OVER) {
				takenOver.add(ctx());
			}
		}

		private int ctx() {
			return this.environment.getRequiredProperty("test.ctx", Integer.class);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ConfigurableKeyedListener {

		@PgqueListener(queue = "${test.queue}", consumer = "keyed", ordering = "${test.ordering}",
				keySlots = "${test.slots}")
		void on(String payload) {
		}

	}

}
