package io.pgque.spring.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.pgque.spring.test.PgqueTestDatabase;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The table lease (140-leases.sql): one holder at a time, takeover only after expiry, the
 * fencing epoch checked by the statements that open and finish a batch, and no way in for
 * a login without a PgQue role.
 */
@Timeout(60)
class EngineLeaseIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final EngineSql sql = new EngineSql(db.jdbc());

	private final List<String> logins = new ArrayList<>();

	@AfterEach
	void dropLogins() {
		for (String login : this.logins) {
			db.jdbc().execute("DROP OWNED BY " + login);
			db.jdbc().execute("DROP ROLE " + login);
		}
	}

	@Test
	void leaseIsExclusiveUntilItExpiresThenTheEpochGrows() throws Exception {
		assertThat(acquire("ex", "c", "a", 5)).isEqualTo(1);
		assertThat(acquire("ex", "c", "b", 5)).isNull();
		assertThat(acquire("ex", "c", "a", 1)).as("the owner itself re-takes it with a new epoch").isEqualTo(2);
		Thread.sleep(1100);
		assertThat(acquire("ex", "c", "b", 10)).isEqualTo(3);
		assertThat(acquire("ex", "c", "a", 10)).isNull();
	}

	@Test
	void workerWhoseLeaseExpiredCannotFinishItsBatchAndTheSuccessorGetsIt() throws Exception {
		this.sql.createQueue("fence");
		this.sql.subscribe("fence", "c");
		long event = this.sql.insert("fence", "t", "one");
		this.sql.tick("fence");
		long epoch = acquire("fence", "c", "hung", 0.3);
		Long batch = db.jdbc().queryForObject("SELECT pgque.next_batch_leased('fence', 'c', ?)", Long.class, epoch);
		assertThat(batch).isNotNull();
		Thread.sleep(400);
		try (Connection hung = db.newConnection()) {
			hung.setAutoCommit(false);
			// the handler's effect, in the batch's transaction
			execute(hung, "CREATE TABLE fenced_effect (id int)");
			assertThatExceptionOfType(SQLException.class)
				.isThrownBy(() -> finishLeased(hung, batch, "fence", "c", epoch))
				.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("PQL01"));
			hung.rollback();
		}
		assertThat(db.jdbc().queryForObject("SELECT to_regclass('fenced_effect') IS NULL", Boolean.class)).isTrue();
		long successor = acquire("fence", "c", "standby", 10);
		assertThat(successor).isEqualTo(epoch + 1);
		Long again = db.jdbc().queryForObject("SELECT pgque.next_batch_leased('fence', 'c', ?)", Long.class, successor);
		assertThat(again).isEqualTo(batch);
		assertThat(this.sql.batchEvents(again)).extracting(EngineSql.Event::id).containsExactly(event);
		assertThat(db.jdbc()
			.queryForObject("SELECT pgque.finish_batch_leased(?, 'fence', 'c', ?)", Integer.class, again, successor))
			.isOne();
	}

	@Test
	void fencedWorkerCannotOpenABatch() throws Exception {
		this.sql.createQueue("fence_open");
		this.sql.subscribe("fence_open", "c");
		this.sql.insert("fence_open", "t", "one");
		this.sql.tick("fence_open");
		long stale = acquire("fence_open", "c", "a", 10);
		acquire("fence_open", "c", "a", 10);
		try (Connection worker = db.newConnection()) {
			assertThatExceptionOfType(SQLException.class)
				.isThrownBy(() -> query(worker, "SELECT pgque.next_batch_leased('fence_open', 'c', " + stale + ")"))
				.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("PQL01"));
		}
		assertThat(db.jdbc()
			.queryForObject("SELECT sub_batch IS NULL FROM pgque.subscription s JOIN pgque.queue q"
					+ " ON q.queue_id = s.sub_queue WHERE q.queue_name = 'fence_open'", Boolean.class))
			.as("the open was undone")
			.isTrue();
	}

	@Test
	void noTakeoverWhileTheHoldersBatchTransactionRunsButHeartbeatsGoOn() throws Exception {
		this.sql.createQueue("in_tx");
		this.sql.subscribe("in_tx", "c");
		this.sql.insert("in_tx", "t", "one");
		this.sql.tick("in_tx");
		long epoch = acquire("in_tx", "c", "holder", 0.5);
		try (Connection holder = db.newConnection(); Connection heartbeat = db.newConnection()) {
			holder.setAutoCommit(false);
			assertThat(query(holder, "SELECT pgque.next_batch_leased('in_tx', 'c', " + epoch + ")")).isNotNull();
			execute(heartbeat, "SET statement_timeout = '5s'");
			assertThat(query(heartbeat, "SELECT count(*) FROM pgque.lease_renew('holder', '0.3 seconds')"))
				.as("a heartbeat is not blocked by the worker's check")
				.isEqualTo(1L);
			Thread.sleep(400);
			assertThat(acquire("in_tx", "c", "standby", 10)).as("expired, but its batch transaction still runs")
				.isNull();
			holder.rollback();
		}
		assertThat(acquire("in_tx", "c", "standby", 10)).isEqualTo(epoch + 1);
	}

	@Test
	void idlePollWithTheLeaseCheckCostsNoTransactionId() throws Exception {
		this.sql.createQueue("idle");
		this.sql.subscribe("idle", "c");
		long epoch = acquire("idle", "c", "a", 10);
		try (Connection worker = db.newConnection()) {
			worker.setAutoCommit(false);
			assertThat(query(worker, "SELECT pgque.next_batch_leased('idle', 'c', " + epoch + ")")).isNull();
			assertThat(query(worker, "SELECT pg_current_xact_id_if_assigned()")).isNull();
			worker.rollback();
		}
	}

	@Test
	void releasedLeaseIsTakenAtOnce() throws Exception {
		long epoch = acquire("rel", "c", "a", 60);
		assertThat(db.jdbc().queryForObject("SELECT pgque.lease_release('rel', 'c', 'a', ?)", Boolean.class, epoch))
			.isTrue();
		assertThat(acquire("rel", "c", "b", 60)).isEqualTo(epoch + 1);
	}

	@Test
	void loginWithoutAPgqueRoleCanNeitherTakeNorLockALease() throws Exception {
		long epoch = acquire("guarded", "c", "a", 60);
		String stranger = login();
		try (Connection connection = java.sql.DriverManager.getConnection(db.jdbcUrl(), stranger, "probe")) {
			for (String attempt : List.of("SELECT pgque.lease_acquire('guarded', 'c', 'x', '1 hour')",
					"SELECT pgque.ticker_lease_take('x', '1 hour')", "SELECT * FROM pgque.lease_renew('a', '1 hour')",
					"SELECT pgque.lease_check('consumer', 'guarded', 'c', 0, " + epoch + ", true)",
					"SELECT 1 FROM pgque.lease FOR KEY SHARE", "DELETE FROM pgque.lease")) {
				assertThatExceptionOfType(SQLException.class).as(attempt)
					.isThrownBy(() -> query(connection, attempt))
					.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("42501"));
			}
		}
		assertThat(acquire("guarded", "c", "b", 60)).isNull();
	}

	@Test
	void readerLoginKeepsAConsumerLeaseButCannotTakeTickerLeadership() throws Exception {
		String reader = login();
		db.jdbc().execute("GRANT pgque_reader TO " + reader);
		try (Connection connection = java.sql.DriverManager.getConnection(db.jdbcUrl(), reader, "probe")) {
			assertThat(query(connection, "SELECT pgque.lease_acquire('r', 'c', 'reader', '1 minute')")).isEqualTo(1L);
			assertThat(query(connection, "SELECT count(*) FROM pgque.lease_renew('reader', '1 minute')")).isEqualTo(1L);
			assertThatExceptionOfType(SQLException.class)
				.isThrownBy(() -> query(connection, "SELECT pgque.ticker_lease_take('reader', '1 minute')"))
				.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("42501"));
		}
	}

	private @Nullable Long acquire(String queue, String consumer, String owner, double ttlSeconds) {
		return db.jdbc()
			.queryForObject("SELECT pgque.lease_acquire(?, ?, ?, make_interval(secs => ?))", Long.class, queue,
					consumer, owner, ttlSeconds);
	}

	private static void finishLeased(Connection connection, long batch, String queue, String consumer, long epoch)
			throws SQLException {
		try (PreparedStatement statement = connection
			.prepareStatement("SELECT pgque.finish_batch_leased(?, ?, ?, ?)")) {
			statement.setLong(1, batch);
			statement.setString(2, queue);
			statement.setString(3, consumer);
			statement.setLong(4, epoch);
			statement.executeQuery().close();
		}
	}

	private static @Nullable Object query(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
			return rows.next() ? rows.getObject(1) : null;
		}
	}

	private static void execute(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	private String login() {
		String login = "pgque_lease_probe_" + UUID.randomUUID().toString().substring(0, 8);
		db.jdbc().execute("CREATE ROLE " + login + " LOGIN PASSWORD 'probe'");
		db.jdbc().execute("GRANT CONNECT ON DATABASE " + db.name() + " TO " + login);
		this.logins.add(login);
		return login;
	}

}
