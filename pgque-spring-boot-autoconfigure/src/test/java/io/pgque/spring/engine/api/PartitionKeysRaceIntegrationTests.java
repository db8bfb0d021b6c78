package io.pgque.spring.engine.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.pgque.spring.engine.EngineSql;
import io.pgque.spring.engine.api.ApiSql.Message;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The three upstream races of partition keys (extended contract §B.8), each with two
 * sessions, run against the engine and against a naive copy of the function concerned (in
 * schema {@code pgque_naive}, without the lock or check): the copy fails the way upstream
 * does, which proves each test can fail.
 * <ul>
 * <li>#304: the owner releases its lease while its batch is open, and the next owner is
 * handed that same batch;</li>
 * <li>#309: a claim waits behind a transaction holding the lease row instead of answering
 * NULL;</li>
 * <li>#357: a registration of a slot's name, left open, stalls that slot's receive (the
 * foreign-key check's KEY SHARE waits behind FOR UPDATE on the consumer row), and
 * concurrent first registrations of one new name fail with a duplicate key.</li>
 * </ul>
 */
@Timeout(120)
class PartitionKeysRaceIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private static final ExecutorService executor = Executors.newCachedThreadPool();

	private final JdbcTemplate jdbc = db.jdbc();

	private final ApiSql api = new ApiSql(this.jdbc);

	private final SlotSql slots = new SlotSql(this.jdbc);

	@BeforeAll
	static void naiveCopies() {
		JdbcTemplate jdbc = db.jdbc();
		jdbc.execute("CREATE SCHEMA IF NOT EXISTS pgque_naive");
		// #304: release without the open-batch check
		copy("pgque.release_slot(text,text,int,text)",
				(source) -> cut(source, "	IF v_batch IS NOT NULL THEN", "	END IF;\n"));
		// #309: claim with a waiting lock
		copy("pgque.claim_slot(text,text,int,text,interval)",
				(source) -> replace(source, "FOR UPDATE SKIP LOCKED", "FOR UPDATE"));
		// #357: the consumer row locked FOR UPDATE, and created with a plain INSERT
		copy("pgque.register_consumer_at(text,text,bigint)",
				(source) -> replace(replace(source, "FOR NO KEY UPDATE", "FOR UPDATE"),
						" ON CONFLICT (co_name) DO NOTHING", ""));
	}

	@AfterAll
	static void shutdown() {
		executor.shutdownNow();
	}

	// #304

	@Test
	void theOwnerCannotReleaseWhileItsBatchIsOpen() throws Exception {
		Handover handover = releaseMidBatch("pk_release", "pgque.release_slot");
		assertThat(handover.releaseError()).contains("cannot release slot 0").contains("is open");
		assertThat(handover.secondClaim()).isNull();
		assertThat(handover.secondGot()).isEmpty();
		assertThat(this.slots.status("pk_release", "c").get(0)).containsEntry("lease_owner", "first");
		// the owner acks, then may release
		assertThat(this.slots.ack("pk_release", "c", 0, 2, "first")).isOne();
		assertThat(this.slots.release("pk_release", "c", 0, "first")).isTrue();
	}

	@Test
	void aNaiveReleaseHandsTheOpenBatchToASecondWorker() throws Exception {
		Handover handover = releaseMidBatch("pk_release_naive", "pgque_naive.release_slot");
		assertThat(handover.releaseError()).isNull();
		assertThat(handover.secondClaim()).isEqualTo(2L);
		assertThat(handover.secondGot()).extracting(Message::msgId)
			.isEqualTo(handover.firstGot().stream().map(Message::msgId).toList());
		assertThat(handover.secondGot().get(0).batchId()).isEqualTo(handover.firstGot().get(0).batchId());
	}

	private Handover releaseMidBatch(String queue, String releaseFunction) throws Exception {
		this.api.createQueue(queue);
		this.slots.subscribeAll(queue, "c", 2);
		this.slots.send(queue, "one", "tenant-a");
		this.slots.send(queue, "two", "tenant-a");
		this.api.tick(queue);
		try (SingleConnectionDataSource first = session(); SingleConnectionDataSource second = session()) {
			SlotSql firstWorker = new SlotSql(new JdbcTemplate(first));
			SlotSql secondWorker = new SlotSql(new JdbcTemplate(second));
			assertThat(firstWorker.claim(queue, "c", 0, "first")).isEqualTo(1L);
			List<Message> firstGot = firstWorker.receive(queue, "c", 0, 2, "first");
			assertThat(firstGot).hasSize(2);
			String releaseError = null;
			try {
				new JdbcTemplate(first).queryForObject("SELECT " + releaseFunction + "(?, 'c', 0, 'first')",
						Boolean.class, queue);
			}
			catch (RuntimeException ex) {
				releaseError = SqlErrors.raised(() -> {
					throw ex;
				});
			}
			Long secondClaim = secondWorker.claim(queue, "c", 0, "second");
			List<Message> secondGot = (secondClaim != null) ? secondWorker.receive(queue, "c", 0, 2, "second")
					: List.of();
			return new Handover(firstGot, releaseError, secondClaim, secondGot);
		}
	}

	// #309

	@Test
	void aClaimOfALeaseRowHeldByAReceiveAnswersNullAtOnce() throws Exception {
		assertThat(claimBehindAReceive("pk_claim", "pgque.claim_slot")).isNull();
	}

	@Test
	void aNaiveClaimWaitsBehindTheReceive() throws Exception {
		assertThat(claimBehindAReceive("pk_claim_naive", "pgque_naive.claim_slot")).isEqualTo("57014");
	}

	@Test
	void aClaimOfASlotBeingClaimedInAnOpenTransactionAnswersNullAtOnce() throws Exception {
		this.api.createQueue("pk_claim_tx");
		this.slots.subscribeAll("pk_claim_tx", "c", 2);
		try (Connection holder = transaction(); Connection other = db.newConnection()) {
			assertThat(claim(holder, "pgque.claim_slot", "pk_claim_tx", "holder")).isEqualTo(1L);
			setTimeout(other, "2s");
			long start = System.nanoTime();
			assertThat(claim(other, "pgque.claim_slot", "pk_claim_tx", "other")).isNull();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
			holder.commit();
		}
	}

	/**
	 * A worker holds slot 0 in a receive-to-ack transaction; another session claims it
	 * under a 1 s statement timeout. The result of the claim, or the SQLSTATE it failed
	 * with.
	 */
	private Object claimBehindAReceive(String queue, String claimFunction) throws Exception {
		this.api.createQueue(queue);
		this.slots.subscribeAll(queue, "c", 2);
		this.slots.send(queue, "x", "tenant-a");
		this.api.tick(queue);
		this.slots.claim(queue, "c", 0, "busy", "1 second");
		Thread.sleep(1_100);
		// the busy worker's lease has expired, but its transaction still holds the row
		try (Connection busy = transaction(); Connection claimer = db.newConnection()) {
			assertThat(SlotSql.receive(busy, queue, "c", 0, 2, "busy")).hasSize(1);
			setTimeout(claimer, "1s");
			long start = System.nanoTime();
			try {
				Object result = claim(claimer, claimFunction, queue, "scanner");
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(900));
				return result;
			}
			catch (SQLException ex) {
				return ex.getSQLState();
			}
			finally {
				busy.rollback();
			}
		}
	}

	// #357

	@Test
	void anOpenRegistrationOfTheSlotNameDoesNotStallAnEmptyWindowReceive() throws Exception {
		assertThat(receiveBehindARegistration("pk_register", "pgque.register_consumer_at")).isEqualTo("ok");
	}

	@Test
	void aNaiveRegistrationStallsTheReceive() throws Exception {
		assertThat(receiveBehindARegistration("pk_register_naive", "pgque_naive.register_consumer_at"))
			.isEqualTo("57014");
	}

	/**
	 * A window holding only slot 1's keys, read by slot 0 (so receive opens the batch and
	 * finishes it at once: the subscription row updated twice, which re-runs its foreign
	 * key check), while another session has re-registered slot 0's name and not yet
	 * committed. "ok", or the SQLSTATE the receive failed with under a 2 s timeout.
	 */
	private String receiveBehindARegistration(String queue, String registerFunction) throws Exception {
		this.api.createQueue(queue);
		this.slots.subscribeAll(queue, "c", 2);
		this.slots.send(queue, "for slot 1", "tenant-b");
		this.api.tick(queue);
		this.slots.claim(queue, "c", 0, "w");
		try (Connection registrar = transaction(); Connection receiver = db.newConnection()) {
			try (PreparedStatement register = registrar
				.prepareStatement("SELECT " + registerFunction + "(?, 'c#0/2', NULL)")) {
				register.setString(1, queue);
				register.executeQuery().close();
			}
			setTimeout(receiver, "2s");
			try {
				assertThat(SlotSql.receive(receiver, queue, "c", 0, 2, "w")).isEmpty();
				return "ok";
			}
			catch (SQLException ex) {
				return ex.getSQLState();
			}
			finally {
				registrar.rollback();
			}
		}
	}

	@Test
	void concurrentFirstRegistrationsOfOneNameAllSucceed() throws Exception {
		assertThat(firstRegistrations("pk_first", "pgque.register_consumer_at")).containsExactlyInAnyOrder("1", "0",
				"0", "0", "0", "0", "0", "0");
	}

	@Test
	void naiveConcurrentFirstRegistrationsFailWithADuplicateKey() throws Exception {
		assertThat(firstRegistrations("pk_first_naive", "pgque_naive.register_consumer_at")).contains("23505");
	}

	/**
	 * One session registers a new name and holds its transaction; seven others register
	 * the same name meanwhile (each waits on the first's uncommitted consumer row), then
	 * the first commits. Each session's result, or the SQLSTATE it failed with.
	 */
	private List<String> firstRegistrations(String queue, String registerFunction) throws Exception {
		this.api.createQueue(queue);
		String sql = "SELECT " + registerFunction + "(?, ?, NULL)";
		String name = queue + "_consumer";
		List<String> results = new ArrayList<>();
		try (Connection first = transaction()) {
			try (PreparedStatement register = first.prepareStatement(sql)) {
				register.setString(1, queue);
				register.setString(2, name);
				try (ResultSet rs = register.executeQuery()) {
					rs.next();
					results.add(rs.getString(1));
				}
			}
			CyclicBarrier start = new CyclicBarrier(7);
			List<Future<String>> others = new ArrayList<>();
			List<Integer> pids = new ArrayList<>();
			List<Connection> connections = new ArrayList<>();
			for (int i = 0; i < 7; i++) {
				Connection connection = db.newConnection();
				connections.add(connection);
				pids.add(EngineSql.backendPid(connection));
				others.add(executor.submit(() -> {
					start.await();
					try (PreparedStatement register = connection.prepareStatement(sql)) {
						register.setString(1, queue);
						register.setString(2, name);
						try (ResultSet rs = register.executeQuery()) {
							rs.next();
							return rs.getString(1);
						}
					}
					catch (SQLException ex) {
						return ex.getSQLState();
					}
				}));
			}
			EngineSql engine = new EngineSql(this.jdbc);
			for (int pid : pids) {
				engine.awaitLockWait(pid, Duration.ofSeconds(20));
			}
			first.commit();
			for (Future<String> other : others) {
				results.add(other.get(30, TimeUnit.SECONDS));
			}
			for (Connection connection : connections) {
				connection.close();
			}
		}
		return results;
	}

	private static Long claim(Connection connection, String claimFunction, String queue, String worker)
			throws SQLException {
		try (PreparedStatement claim = connection
			.prepareStatement("SELECT " + claimFunction + "(?, 'c', 0, ?, '30 seconds')")) {
			claim.setString(1, queue);
			claim.setString(2, worker);
			try (ResultSet rs = claim.executeQuery()) {
				rs.next();
				long epoch = rs.getLong(1);
				return rs.wasNull() ? null : epoch;
			}
		}
	}

	private static void setTimeout(Connection connection, String timeout) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute("SET statement_timeout = '" + timeout + "'");
		}
	}

	private static Connection transaction() throws SQLException {
		Connection connection = db.newConnection();
		connection.setAutoCommit(false);
		return connection;
	}

	private static SingleConnectionDataSource session() throws SQLException {
		return new SingleConnectionDataSource(db.newConnection(), true);
	}

	private static void copy(String signature, java.util.function.UnaryOperator<String> change) {
		String source = db.jdbc().queryForObject("SELECT pg_get_functiondef(?::regprocedure)", String.class, signature);
		String naive = change.apply(source).replaceFirst("FUNCTION pgque\\.", "FUNCTION pgque_naive.");
		assertThat(naive).isNotEqualTo(source.replaceFirst("FUNCTION pgque\\.", "FUNCTION pgque_naive."));
		db.jdbc().execute(naive);
	}

	private static String replace(String source, String target, String replacement) {
		assertThat(source).contains(target);
		return source.replace(target, replacement);
	}

	/**
	 * Removes the first block from {@code from} up to and including the next {@code to}.
	 */
	private static String cut(String source, String from, String to) {
		int start = source.indexOf(from);
		assertThat(start).as("start of %s", from).isNotNegative();
		int end = source.indexOf(to, start) + to.length();
		return source.substring(0, start) + source.substring(end);
	}

	private record Handover(List<Message> firstGot, String releaseError, Long secondClaim, List<Message> secondGot) {

	}

}
