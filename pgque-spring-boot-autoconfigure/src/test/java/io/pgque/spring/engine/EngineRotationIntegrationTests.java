package io.pgque.spring.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Table rotation (contract §1 "Rotating tables", §4 invariants 38-41): tables rotate, a
 * table is emptied only when no consumer can still need it, and data tables never hold
 * dead rows.
 */
@Timeout(120)
class EngineRotationIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final EngineSql sql = new EngineSql(db.jdbc());

	private final JdbcTemplate jdbc = db.jdbc();

	@Test
	void stepOneWaitsForTheRotationPeriodAndForStepTwo() {
		this.sql.createQueue("rot1");
		step1("rot1");
		assertThat(curTable("rot1")).isZero();
		shortRotation("rot1");
		step1("rot1");
		assertThat(curTable("rot1")).isOne();
		step1("rot1");
		assertThat(curTable("rot1")).as("no second switch before step 2").isOne();
		step2();
		step1("rot1");
		assertThat(curTable("rot1")).isEqualTo(2);
	}

	@Test
	void aConsumerOnTheFirstTickBlocksTheFirstRotation() {
		this.sql.createQueue("rot2");
		this.sql.subscribe("rot2", "c");
		shortRotation("rot2");
		for (int i = 0; i < 3; i++) {
			step1("rot2");
			step2();
		}
		assertThat(curTable("rot2")).isZero();
		this.sql.insert("rot2", "t", "x");
		assertThat(this.sql.tickAndDrain("rot2", "c")).hasSize(1);
		step1("rot2");
		assertThat(curTable("rot2")).isOne();
	}

	@Test
	void tablesCycleAndASlowConsumerStillGetsEveryEvent() {
		this.sql.createQueue("rot3");
		this.sql.subscribe("rot3", "fast");
		this.sql.subscribe("rot3", "slow");
		shortRotation("rot3");
		List<Long> produced = new ArrayList<>();
		List<Long> slowGot = new ArrayList<>();
		List<Integer> curTables = new ArrayList<>();

		// both keep up: a switch every round, only the new current table emptied
		for (int round = 0; round < 6; round++) {
			produced.addAll(this.sql.insertMany("rot3", "a" + round, 5));
			this.sql.tickAndDrain("rot3", "fast");
			slowGot.addAll(ids(drain("rot3", "slow")));
			rotateCheckingTruncation("rot3");
			curTables.add(curTable("rot3"));
		}
		assertThat(curTables).containsExactly(1, 2, 0, 1, 2, 0);

		// the slow consumer stops reading: no more switches, nothing it needs is emptied
		int stuckAt = curTable("rot3");
		for (int round = 0; round < 6; round++) {
			produced.addAll(this.sql.insertMany("rot3", "b" + round, 5));
			this.sql.tickAndDrain("rot3", "fast");
			rotateCheckingTruncation("rot3");
			assertThat(curTable("rot3")).isEqualTo(stuckAt);
		}

		// once it catches up, rotation resumes
		slowGot.addAll(ids(drain("rot3", "slow")));
		for (int round = 0; round < 2; round++) {
			produced.addAll(this.sql.insertMany("rot3", "c" + round, 5));
			this.sql.tickAndDrain("rot3", "fast");
			slowGot.addAll(ids(drain("rot3", "slow")));
			rotateCheckingTruncation("rot3");
		}
		assertThat(curTable("rot3")).isEqualTo((stuckAt + 2) % 3);
		assertThat(slowGot).containsExactlyElementsOf(produced);
	}

	@Test
	void stepOneSkipsALockedTableWithoutWaiting() throws Exception {
		this.sql.createQueue("rot4");
		shortRotation("rot4");
		String next = this.jdbc
			.queryForObject("SELECT queue_data_pfx || '_1' FROM pgque.queue WHERE queue_name = 'rot4'", String.class);
		try (Connection holder = db.newConnection(); Statement statement = holder.createStatement()) {
			holder.setAutoCommit(false);
			statement.execute("LOCK TABLE " + next + " IN ACCESS SHARE MODE");
			long start = System.nanoTime();
			step1("rot4");
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
			assertThat(curTable("rot4")).isZero();
			holder.rollback();
		}
		step1("rot4");
		assertThat(curTable("rot4")).isOne();
	}

	@Test
	void dataTablesHaveNoDeadRowsAfterSustainedProduceAndConsume() throws Exception {
		this.sql.createQueue("rot5");
		this.sql.subscribe("rot5", "c");
		shortRotation("rot5");
		int produced = 0;
		for (int round = 0; round < 20; round++) {
			produced += this.sql.insertMany("rot5", "e", 50).size();
			assertThat(this.sql.tickAndDrain("rot5", "c")).hasSize(50);
			if (round % 5 == 4) {
				Long batch = null;
				this.sql.insert("rot5", "t", "retried");
				produced++;
				this.sql.tick("rot5");
				batch = this.sql.nextBatch("rot5", "c");
				this.jdbc.queryForObject("SELECT pgque.batch_retry(?, 0)", Integer.class, batch);
				this.sql.finishBatch(batch);
				this.jdbc.queryForObject("SELECT pgque.maint_retry_events()", Integer.class);
				produced++;
				assertThat(this.sql.tickAndDrain("rot5", "c")).hasSize(1);
			}
			rotate("rot5");
		}
		// Closing the pool's sessions makes them report their statistics now.
		((HikariDataSource) db.dataSource()).getHikariPoolMXBean().softEvictConnections();
		String stats = "SELECT coalesce(sum(n_tup_ins), 0) FROM pg_stat_user_tables WHERE schemaname = 'pgque'"
				+ " AND relname LIKE (SELECT split_part(queue_data_pfx, '.', 2) || '\\_%' FROM pgque.queue"
				+ " WHERE queue_name = 'rot5')";
		long deadline = System.currentTimeMillis() + 30_000;
		while (this.jdbc.queryForObject(stats, Long.class) < produced && System.currentTimeMillis() < deadline) {
			Thread.sleep(200);
			this.jdbc.execute("SELECT pg_stat_clear_snapshot()");
		}
		assertThat(this.jdbc.queryForObject(stats, Long.class)).isEqualTo(produced);
		List<Long> dead = this.jdbc.queryForList("SELECT n_dead_tup FROM pg_stat_user_tables WHERE schemaname = 'pgque'"
				+ " AND relname LIKE (SELECT split_part(queue_data_pfx, '.', 2) || '\\_%' FROM pgque.queue"
				+ " WHERE queue_name = 'rot5')", Long.class);
		assertThat(dead).hasSize(3).containsOnly(0L);
		// the statistics are live: the subscription table, updated per batch, has dead
		// rows
		assertThat(this.jdbc.queryForObject(
				"SELECT n_dead_tup + n_tup_hot_upd FROM pg_stat_user_tables WHERE relid = 'pgque.subscription'::regclass",
				Long.class))
			.isPositive();
		assertThat(curTable("rot5")).isNotNull();
	}

	// A writer reads queue_cur_table, then waits (here: for a lock on that table) while
	// the tables switch and the switch settles. If it only got its xid when it finally
	// inserted, its xid would be above step 2 while its row sits in the old table, and a
	// batch that begins after step 2 reads only the new table: the event would be lost.
	// Taking the xid before reading cur_table keeps the writer below step 2.
	@ParameterizedTest
	@ValueSource(strings = { "SELECT pgque.insert_event(?, 't', 'late writer')",
			"SELECT pgque.send_batch(?, 't', ARRAY['late writer'])", "SELECT pgque.send(?, 't', 'late writer')" })
	void aWriterHeldUpAcrossATableSwitchStillHasItsEventDelivered(String write) throws Exception {
		String queue = "rot6_" + (write.contains("send_batch") ? "bulk" : write.contains("send(") ? "send" : "single");
		this.sql.createQueue(queue);
		this.sql.subscribe(queue, "c");
		shortRotation(queue);
		this.sql.insert(queue, "t", "before");
		assertThat(this.sql.tickAndDrain(queue, "c")).hasSize(1);
		String oldTable = this.jdbc.queryForObject(
				"SELECT queue_data_pfx || '_' || queue_cur_table FROM pgque.queue WHERE queue_name = ?", String.class,
				queue);
		try (Connection holder = db.newConnection(); Connection writer = db.newConnection()) {
			holder.setAutoCommit(false);
			try (Statement statement = holder.createStatement()) {
				statement.execute("LOCK TABLE " + oldTable + " IN SHARE MODE");
			}
			int writerPid = EngineSql.backendPid(writer);
			CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
				try (PreparedStatement insert = writer.prepareStatement(write)) {
					insert.setString(1, queue);
					insert.executeQuery().close();
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});
			this.sql.awaitLockWait(writerPid, Duration.ofSeconds(10));
			rotate(queue);
			assertThat(curTable(queue)).isOne();
			// a tick after step 2, and a batch up to it: the consumer's cursor now stands
			// after the switch settled
			this.sql.tickAndDrain(queue, "c");
			holder.commit();
			written.get(10, TimeUnit.SECONDS);
		}
		assertThat(this.sql.tickAndDrain(queue, "c")).extracting(EngineSql.Event::data).containsExactly("late writer");
	}

	// A rotation round in three transactions, checking that only the new current table
	// lost rows.
	private void rotateCheckingTruncation(String queue) {
		List<Long> before = tableCounts(queue);
		int from = curTable(queue);
		step1(queue);
		int to = curTable(queue);
		List<Long> after = tableCounts(queue);
		for (int i = 0; i < 3; i++) {
			if (to != from && i == to) {
				assertThat(after.get(i)).as("table %d, the new current one", i).isZero();
			}
			else {
				assertThat(after.get(i)).as("table %d", i).isEqualTo(before.get(i));
			}
		}
		step2();
	}

	private void rotate(String queue) {
		step1(queue);
		step2();
	}

	private List<Long> tableCounts(String queue) {
		String pfx = this.jdbc.queryForObject("SELECT queue_data_pfx FROM pgque.queue WHERE queue_name = ?",
				String.class, queue);
		List<Long> counts = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			counts.add(this.jdbc.queryForObject("SELECT count(*) FROM " + pfx + "_" + i, Long.class));
		}
		return counts;
	}

	private List<EngineSql.Event> drain(String queue, String consumer) {
		List<EngineSql.Event> all = new ArrayList<>();
		for (Long batch = this.sql.nextBatch(queue, consumer); batch != null; batch = this.sql.nextBatch(queue,
				consumer)) {
			all.addAll(this.sql.batchEvents(batch));
			this.sql.finishBatch(batch);
		}
		return all;
	}

	private static List<Long> ids(List<EngineSql.Event> events) {
		return events.stream().map(EngineSql.Event::id).toList();
	}

	private void shortRotation(String queue) {
		this.jdbc.update("UPDATE pgque.queue SET queue_rotation_period = '1 microsecond' WHERE queue_name = ?", queue);
	}

	private void step1(String queue) {
		this.jdbc.queryForObject("SELECT pgque.maint_rotate_tables_step1(?)", Integer.class, queue);
	}

	private void step2() {
		this.jdbc.queryForObject("SELECT pgque.maint_rotate_tables_step2()", Integer.class);
	}

	private int curTable(String queue) {
		return this.jdbc.queryForObject("SELECT queue_cur_table FROM pgque.queue WHERE queue_name = ?", Integer.class,
				queue);
	}

}
