package io.pgque.spring.engine.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.pgque.spring.engine.EngineSql;
import io.pgque.spring.engine.api.ApiSql.Message;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions racing to open or take over batches of one cooperative group. With the group's
 * row locks a second member waits for the first and then gets the next window; four
 * members looping in parallel see every event exactly once. The same loop against a copy
 * of the functions without the locks hands one window to two members: proof that the test
 * can fail.
 */
@Timeout(180)
class CooperativeRaceIntegrationTests {

	private static final int MEMBERS = 4;

	private static final int TICKS = 200;

	private static final int EVENTS_PER_TICK = 25;

	private static final Pattern LOCK_CLAUSE = Pattern.compile("\\s+FOR (NO KEY )?UPDATE( SKIP LOCKED)?(?=;)");

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private static final ExecutorService executor = Executors.newCachedThreadPool();

	private final EngineSql sql = new EngineSql(db.jdbc());

	private final CoopSql coop = new CoopSql(db.jdbc());

	@AfterAll
	static void shutdown() {
		executor.shutdownNow();
	}

	@Test
	void secondMemberWaitsForTheFirstThenGetsTheNextWindow() throws Exception {
		this.sql.createQueue("race_two");
		this.coop.register("race_two", "c", "w1");
		this.coop.register("race_two", "c", "w2");
		long first = this.sql.insert("race_two", "t", "one");
		this.sql.tick("race_two");
		long second = this.sql.insert("race_two", "t", "two");
		this.sql.tick("race_two");
		try (Connection session1 = transaction(); Connection session2 = transaction()) {
			int pid2 = EngineSql.backendPid(session2);
			List<Message> got1 = receiveCoop(session1, "race_two", "w1", null);
			CompletableFuture<List<Message>> got2 = CompletableFuture
				.supplyAsync(() -> receiveCoop(session2, "race_two", "w2", null), executor);
			this.sql.awaitLockWait(pid2, Duration.ofSeconds(10));
			Thread.sleep(300);
			assertThat(got2).isNotDone();
			session1.commit();
			List<Message> after = got2.get(10, TimeUnit.SECONDS);
			session2.commit();
			assertThat(got1).extracting(Message::msgId).containsExactly(first);
			assertThat(after).extracting(Message::msgId).containsExactly(second);
			assertThat(after.get(0).batchId()).isNotEqualTo(got1.get(0).batchId());
		}
	}

	@Test
	void twoTakersOfOneSilentBatchNeverBothGetIt() throws Exception {
		this.sql.createQueue("race_take");
		this.coop.register("race_take", "c", "dead");
		long event = this.sql.insert("race_take", "t", "orphan");
		this.sql.tick("race_take");
		long orphan = this.coop.receive("race_take", "c", "dead").get(0).batchId();
		this.coop.register("race_take", "c", "a");
		this.coop.register("race_take", "c", "b");
		this.coop.silence("race_take", "c.dead", 120);
		try (Connection session1 = transaction(); Connection session2 = transaction()) {
			int pid2 = EngineSql.backendPid(session2);
			List<Message> taken1 = receiveCoop(session1, "race_take", "a", "1 minute");
			CompletableFuture<List<Message>> taken2 = CompletableFuture
				.supplyAsync(() -> receiveCoop(session2, "race_take", "b", "1 minute"), executor);
			this.sql.awaitLockWait(pid2, Duration.ofSeconds(10));
			session1.commit();
			assertThat(taken2.get(10, TimeUnit.SECONDS)).isEmpty();
			session2.commit();
			assertThat(taken1).extracting(Message::msgId).containsExactly(event);
			assertThat(taken1.get(0).batchId()).isNotEqualTo(orphan);
		}
	}

	@Test
	void aTakeoverSkipsAMemberThatIsAckingAndTheLateAckOfATakenBatchReturnsZero() throws Exception {
		this.sql.createQueue("race_ack");
		this.coop.register("race_ack", "c", "slow");
		this.sql.insert("race_ack", "t", "one");
		this.sql.tick("race_ack");
		this.sql.insert("race_ack", "t", "two");
		this.sql.tick("race_ack");
		long held = this.coop.receive("race_ack", "c", "slow").get(0).batchId();
		this.coop.silence("race_ack", "c.slow", 120);
		try (Connection acking = transaction()) {
			assertThat(ApiSql.ack(acking, held)).isOne();
			// the slow member holds its row while acking: the taker skips it and opens
			// the next window
			List<Message> other = this.coop.receive("race_ack", "c", "taker", "1 minute");
			assertThat(other).extracting(Message::payload).containsExactly("two");
			acking.commit();
		}
		this.sql.insert("race_ack", "t", "three");
		this.sql.tick("race_ack");
		long late = this.coop.receive("race_ack", "c", "slow").get(0).batchId();
		this.coop.silence("race_ack", "c.slow", 120);
		db.jdbc()
			.queryForObject("SELECT pgque.ack(?)", Integer.class,
					this.coop.receive("race_ack", "c", "taker").get(0).batchId());
		assertThat(this.coop.receive("race_ack", "c", "taker", "1 minute")).extracting(Message::payload)
			.containsExactly("three");
		assertThat(db.jdbc().queryForObject("SELECT pgque.ack(?)", Integer.class, late)).isZero();
	}

	@Test
	void membersLoopingInParallelSeeEveryEventExactlyOnce() throws Exception {
		List<Long> produced = produce("race_locked");
		Run run = consume("race_locked", "pgque.next_batch_custom");
		print("with the group locks", run);
		assertThat(run.errors()).isEmpty();
		assertThat(run.duplicates()).isZero();
		assertThat(run.counts().keySet()).containsExactlyInAnyOrderElementsOf(produced);
	}

	@Test
	void aCopyWithoutTheLocksHandsOneWindowToTwoMembers() throws Exception {
		db.jdbc().execute("CREATE SCHEMA IF NOT EXISTS pgque_nolock");
		for (String function : List.of("pgque._coop_lock_consumer(text)",
				"pgque.register_subconsumer(text,text,text,boolean)",
				"pgque.next_batch_custom(text,text,text,interval,int4,interval,interval)")) {
			String source = db.jdbc()
				.queryForObject("SELECT pg_get_functiondef(?::regprocedure)", String.class, function);
			String unlocked = LOCK_CLAUSE.matcher(source).replaceAll("");
			assertThat(unlocked).isNotEqualTo(source);
			for (String name : List.of("_coop_lock_consumer(", "register_subconsumer(", "next_batch_custom(")) {
				unlocked = unlocked.replace("pgque." + name, "pgque_nolock." + name);
			}
			db.jdbc().execute(unlocked);
		}
		produce("race_unlocked");
		Run run = consume("race_unlocked", "pgque_nolock.next_batch_custom");
		print("without the group locks", run);
		assertThat(run.duplicates()).isPositive();
	}

	private List<Long> produce(String queue) {
		this.sql.createQueue(queue);
		for (int i = 1; i <= MEMBERS; i++) {
			this.coop.register(queue, "group", "m" + i);
		}
		List<Long> ids = new ArrayList<>();
		for (int i = 0; i < TICKS; i++) {
			ids.addAll(this.sql.insertMany(queue, "e", EVENTS_PER_TICK));
			this.sql.tick(queue);
		}
		return ids;
	}

	private Run consume(String queue, String nextBatchFunction) throws Exception {
		ConcurrentLinkedQueue<Long> received = new ConcurrentLinkedQueue<>();
		ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
		ExecutorService pool = Executors.newFixedThreadPool(MEMBERS);
		try {
			List<Future<?>> workers = new ArrayList<>();
			for (int i = 1; i <= MEMBERS; i++) {
				String member = "m" + i;
				workers.add(pool.submit(() -> {
					work(queue, member, nextBatchFunction, received, errors);
					return null;
				}));
			}
			for (Future<?> worker : workers) {
				worker.get(120, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
		Map<Long, Long> counts = received.stream()
			.collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
		return new Run(received.size(), received.size() - counts.size(), counts, List.copyOf(errors));
	}

	// One member: each round is one transaction, next batch -> events -> finish, until
	// the group has nothing left (or, without locks, until errors pile up).
	private static void work(String queue, String member, String nextBatchFunction,
			ConcurrentLinkedQueue<Long> received, ConcurrentLinkedQueue<Throwable> errors) throws SQLException {
		try (Connection connection = db.newConnection()) {
			connection.setAutoCommit(false);
			try (PreparedStatement next = connection.prepareStatement(
					"SELECT batch_id FROM " + nextBatchFunction + "(?, 'group', ?, NULL, NULL, NULL, NULL)");
					PreparedStatement events = connection
						.prepareStatement("SELECT ev_id FROM pgque.get_batch_events(?)");
					PreparedStatement finish = connection.prepareStatement("SELECT pgque.finish_batch(?)")) {
				next.setString(1, queue);
				next.setString(2, member);
				while (errors.size() < 20) {
					try {
						long batch;
						try (ResultSet rs = next.executeQuery()) {
							rs.next();
							batch = rs.getLong(1);
							if (rs.wasNull()) {
								connection.commit();
								return;
							}
						}
						List<Long> ids = new ArrayList<>();
						events.setLong(1, batch);
						try (ResultSet rs = events.executeQuery()) {
							while (rs.next()) {
								ids.add(rs.getLong(1));
							}
						}
						finish.setLong(1, batch);
						finish.executeQuery().close();
						connection.commit();
						received.addAll(ids);
					}
					catch (SQLException ex) {
						connection.rollback();
						errors.add(ex);
					}
				}
			}
		}
	}

	private static List<Message> receiveCoop(Connection connection, String queue, String member, String deadInterval) {
		try (PreparedStatement statement = connection.prepareStatement(CoopSql.RECEIVE_COOP)) {
			statement.setString(1, queue);
			statement.setString(2, "c");
			statement.setString(3, member);
			statement.setInt(4, 1000);
			statement.setString(5, deadInterval);
			List<Message> messages = new ArrayList<>();
			try (ResultSet rs = statement.executeQuery()) {
				while (rs.next()) {
					messages.add(ApiSql.MESSAGE.mapRow(rs, messages.size()));
				}
			}
			return messages;
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Connection transaction() throws SQLException {
		Connection connection = db.newConnection();
		connection.setAutoCommit(false);
		return connection;
	}

	private static void print(String label, Run run) {
		System.out.printf("cooperative race %s: %d members, %d events, %d rows received, %d duplicates, %d errors%n",
				label, MEMBERS, TICKS * EVENTS_PER_TICK, run.rows(), run.duplicates(), run.errors().size());
	}

	private record Run(int rows, long duplicates, Map<Long, Long> counts, List<Throwable> errors) {

	}

}
