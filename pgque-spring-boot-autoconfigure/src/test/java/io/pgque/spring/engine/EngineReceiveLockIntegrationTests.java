package io.pgque.spring.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The receive-lock fix (contract §5, invariant 14): two sessions asking for the same
 * consumer's batch at once. Session 2 waits for session 1 and then sees what session 1
 * left: the same open batch, or a finished one, after which it carries on normally.
 */
@Timeout(60)
class EngineReceiveLockIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private static final ExecutorService executor = Executors.newCachedThreadPool();

	private final EngineSql sql = new EngineSql(db.jdbc());

	@AfterAll
	static void shutdown() {
		executor.shutdownNow();
	}

	@Test
	void secondSessionWaitsThenGetsTheSameOpenBatch() throws Exception {
		this.sql.createQueue("lock_open");
		this.sql.subscribe("lock_open", "worker");
		long event = this.sql.insert("lock_open", "t", "one");
		this.sql.tick("lock_open");
		try (Connection session1 = transaction(); Connection session2 = transaction()) {
			int pid2 = EngineSql.backendPid(session2);
			Long batch1 = nextBatch(session1, "lock_open");
			assertThat(batch1).isNotNull();

			CompletableFuture<Long> batch2 = CompletableFuture.supplyAsync(() -> nextBatch(session2, "lock_open"),
					executor);
			this.sql.awaitLockWait(pid2, Duration.ofSeconds(10));
			assertThat(batch2).isNotDone();
			session1.commit();

			assertThat(batch2.get(10, TimeUnit.SECONDS)).isEqualTo(batch1);
			assertThat(eventIds(session2, batch1)).containsExactly(event);
			session2.commit();
		}
		assertThat(this.sql.batchEvents(this.sql.nextBatch("lock_open", "worker"))).extracting(EngineSql.Event::id)
			.containsExactly(event);
	}

	@Test
	void secondSessionCarriesOnWithTheNextBatchWhenTheFirstFinishedItsBatch() throws Exception {
		this.sql.createQueue("lock_next");
		this.sql.subscribe("lock_next", "worker");
		long first = this.sql.insert("lock_next", "t", "first");
		this.sql.tick("lock_next");
		long second = this.sql.insert("lock_next", "t", "second");
		this.sql.tick("lock_next");
		try (Connection session1 = transaction(); Connection session2 = transaction()) {
			int pid2 = EngineSql.backendPid(session2);
			// receive -> process -> finish in one transaction, the exactly-once pattern
			Long batch1 = nextBatch(session1, "lock_next");
			assertThat(eventIds(session1, batch1)).containsExactly(first);
			assertThat(finishBatch(session1, batch1)).isEqualTo(1);

			CompletableFuture<Long> batch2 = CompletableFuture.supplyAsync(() -> nextBatch(session2, "lock_next"),
					executor);
			this.sql.awaitLockWait(pid2, Duration.ofSeconds(10));
			session1.commit();

			Long next = batch2.get(10, TimeUnit.SECONDS);
			assertThat(next).isNotNull().isNotEqualTo(batch1);
			assertThat(eventIds(session2, next)).containsExactly(second);
			assertThat(finishBatch(session2, next)).isEqualTo(1);
			session2.commit();
		}
	}

	@Test
	void secondSessionGetsNothingWithoutRaisingWhenTheFirstFinishedTheLastBatch() throws Exception {
		this.sql.createQueue("lock_none");
		this.sql.subscribe("lock_none", "worker");
		this.sql.insert("lock_none", "t", "only");
		this.sql.tick("lock_none");
		try (Connection session1 = transaction(); Connection session2 = transaction()) {
			int pid2 = EngineSql.backendPid(session2);
			Long batch1 = nextBatch(session1, "lock_none");
			assertThat(finishBatch(session1, batch1)).isEqualTo(1);

			CompletableFuture<Long> batch2 = CompletableFuture.supplyAsync(() -> nextBatch(session2, "lock_none"),
					executor);
			this.sql.awaitLockWait(pid2, Duration.ofSeconds(10));
			session1.commit();

			assertThat(batch2.get(10, TimeUnit.SECONDS)).isNull();
			session2.commit();
		}
		Integer openBatches = db.jdbc()
			.queryForObject("SELECT count(sub_batch) FROM pgque.subscription s JOIN pgque.queue q"
					+ " ON q.queue_id = s.sub_queue WHERE q.queue_name = 'lock_none'", Integer.class);
		assertThat(openBatches).isZero();
	}

	@Test
	void secondSessionOpensTheBatchItselfWhenTheFirstRolledBack() throws Exception {
		this.sql.createQueue("lock_rollback");
		this.sql.subscribe("lock_rollback", "worker");
		long event = this.sql.insert("lock_rollback", "t", "again");
		this.sql.tick("lock_rollback");
		try (Connection session1 = transaction(); Connection session2 = transaction()) {
			int pid2 = EngineSql.backendPid(session2);
			Long batch1 = nextBatch(session1, "lock_rollback");
			CompletableFuture<Long> batch2 = CompletableFuture.supplyAsync(() -> nextBatch(session2, "lock_rollback"),
					executor);
			this.sql.awaitLockWait(pid2, Duration.ofSeconds(10));
			session1.rollback();

			Long next = batch2.get(10, TimeUnit.SECONDS);
			assertThat(next).isNotNull().isNotEqualTo(batch1);
			assertThat(eventIds(session2, next)).containsExactly(event);
			session2.commit();
		}
	}

	@Test
	void finishingTheSameBatchTwiceConcurrentlyFinishesItOnce() throws Exception {
		this.sql.createQueue("lock_finish");
		this.sql.subscribe("lock_finish", "worker");
		this.sql.insert("lock_finish", "t", "x");
		this.sql.tick("lock_finish");
		long batch = this.sql.nextBatch("lock_finish", "worker");
		try (Connection session1 = transaction(); Connection session2 = transaction()) {
			int pid2 = EngineSql.backendPid(session2);
			assertThat(finishBatch(session1, batch)).isEqualTo(1);
			CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() -> finishBatch(session2, batch),
					executor);
			this.sql.awaitLockWait(pid2, Duration.ofSeconds(10));
			session1.commit();
			assertThat(second.get(10, TimeUnit.SECONDS)).isZero();
			session2.commit();
		}
	}

	@Test
	void idlePollTakesNoRowLockAndNoTransactionId() throws Exception {
		this.sql.createQueue("lock_idle");
		this.sql.subscribe("lock_idle", "worker");
		try (Connection poller = transaction(); Connection holder = transaction()) {
			// even a session holding the row does not hold up a poll with nothing to open
			holder.createStatement()
				.execute("SELECT 1 FROM pgque.subscription s JOIN pgque.queue q ON q.queue_id = s.sub_queue"
						+ " WHERE q.queue_name = 'lock_idle' FOR UPDATE OF s");
			assertThat(CompletableFuture.supplyAsync(() -> nextBatch(poller, "lock_idle"), executor)
				.get(10, TimeUnit.SECONDS)).isNull();
			assertThat(EngineSql.transactionIdAssigned(poller)).isFalse();
			holder.rollback();
			poller.rollback();

			this.sql.insert("lock_idle", "t", "one");
			this.sql.tick("lock_idle");
			assertThat(nextBatch(poller, "lock_idle")).isNotNull();
			assertThat(EngineSql.transactionIdAssigned(poller)).isTrue();
			poller.rollback();
		}
	}

	private static Connection transaction() throws SQLException {
		Connection connection = db.newConnection();
		connection.setAutoCommit(false);
		return connection;
	}

	static Long nextBatch(Connection connection, String queue) {
		try (PreparedStatement statement = connection.prepareStatement("SELECT pgque.next_batch(?, 'worker')")) {
			statement.setString(1, queue);
			try (ResultSet rs = statement.executeQuery()) {
				rs.next();
				long batch = rs.getLong(1);
				return rs.wasNull() ? null : batch;
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static List<Long> eventIds(Connection connection, long batch) {
		try (PreparedStatement statement = connection.prepareStatement("SELECT ev_id FROM pgque.get_batch_events(?)")) {
			statement.setLong(1, batch);
			List<Long> ids = new ArrayList<>();
			try (ResultSet rs = statement.executeQuery()) {
				while (rs.next()) {
					ids.add(rs.getLong(1));
				}
			}
			return ids;
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static int finishBatch(Connection connection, long batch) {
		try (PreparedStatement statement = connection.prepareStatement("SELECT pgque.finish_batch(?)")) {
			statement.setLong(1, batch);
			try (ResultSet rs = statement.executeQuery()) {
				rs.next();
				return rs.getInt(1);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
