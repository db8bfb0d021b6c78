package io.pgque.spring.engine;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Visibility and delivery (contract §4, invariants 1-12) through the PgQ primitives
 * next_batch, get_batch_events and finish_batch.
 */
class EngineDeliveryIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final EngineSql sql = new EngineSql(db.jdbc());

	private final JdbcTemplate jdbc = db.jdbc();

	@Test
	void tickedEventArrivesOnceAndNothingMoreUntilTheNextTick() {
		queue("d1", "c");
		long id = this.sql.insert("d1", "t", "payload");
		this.sql.tick("d1");
		assertThat(this.sql.consumeOnce("d1", "c")).extracting(EngineSql.Event::id).containsExactly(id);
		assertThat(this.sql.nextBatch("d1", "c")).isNull();
		long later = this.sql.insert("d1", "t", "later");
		assertThat(this.sql.nextBatch("d1", "c")).isNull();
		assertThat(this.sql.tickAndDrain("d1", "c")).extracting(EngineSql.Event::id).containsExactly(later);
	}

	@Test
	void consumerRegisteredAfterAnEventWasTickedNeverGetsIt() {
		queue("d2", "early");
		this.sql.insert("d2", "t", "before");
		this.sql.tick("d2");
		this.sql.subscribe("d2", "late");
		long after = this.sql.insert("d2", "t", "after");
		assertThat(this.sql.tickAndDrain("d2", "late")).extracting(EngineSql.Event::id).containsExactly(after);
	}

	@Test
	void consumerRegisteredBeforeAnyTickSawTheEventGetsIt() {
		queue("d3", "early");
		long id = this.sql.insert("d3", "t", "committed, not yet ticked");
		this.sql.subscribe("d3", "late");
		assertThat(this.sql.tickAndDrain("d3", "late")).extracting(EngineSql.Event::id).containsExactly(id);
	}

	@Test
	void insertTickAndReadInOneTransactionSeeNothingAndTheEventArrivesOnceAfterCommit() throws Exception {
		queue("d4", "c");
		long id;
		try (Connection connection = db.newConnection()) {
			connection.setAutoCommit(false);
			JdbcTemplate tx = new JdbcTemplate(
					new org.springframework.jdbc.datasource.SingleConnectionDataSource(connection, true));
			id = tx.queryForObject("SELECT pgque.insert_event('d4', 't', 'same tx')", Long.class);
			tx.queryForObject("SELECT pgque.force_next_tick('d4')", Long.class);
			assertThat(tx.queryForObject("SELECT pgque.ticker('d4')", Long.class)).isNotNull();
			Long batch = tx.queryForObject("SELECT pgque.next_batch('d4', 'c')", Long.class);
			assertThat(batch).isNotNull();
			assertThat(tx.queryForList("SELECT ev_id FROM pgque.get_batch_events(?)", Long.class, batch)).isEmpty();
			assertThat(tx.queryForObject("SELECT pgque.finish_batch(?)", Integer.class, batch)).isOne();
			connection.commit();
		}
		assertThat(this.sql.tickAndDrain("d4", "c")).extracting(EngineSql.Event::id).containsExactly(id);
		assertThat(this.sql.tickAndDrain("d4", "c")).isEmpty();
	}

	@Test
	void eventsOfRolledBackTransactionsAndSubtransactionsAreNeverDelivered() throws Exception {
		queue("d5", "c");
		try (Connection connection = db.newConnection(); Statement statement = connection.createStatement()) {
			connection.setAutoCommit(false);
			statement.execute("SELECT pgque.insert_event('d5', 't', 'rolled back')");
			connection.rollback();
			statement.execute("SELECT pgque.insert_event('d5', 't', 'kept')");
			statement.execute("SAVEPOINT s");
			statement.execute("SELECT pgque.insert_event('d5', 't', 'savepoint rolled back')");
			statement.execute("ROLLBACK TO SAVEPOINT s");
			connection.commit();
		}
		assertThat(this.sql.tickAndDrain("d5", "c")).extracting(EngineSql.Event::data).containsExactly("kept");
	}

	@Test
	void batchRowsComeInAscendingIdEvenWhenCommitsWereInAnotherOrder() throws Exception {
		queue("d6", "c");
		try (Connection first = db.newConnection();
				Connection second = db.newConnection();
				Statement s1 = first.createStatement();
				Statement s2 = second.createStatement()) {
			first.setAutoCommit(false);
			second.setAutoCommit(false);
			s1.execute("SELECT pgque.insert_event('d6', 't', 'low id, commits last')");
			s2.execute("SELECT pgque.insert_event('d6', 't', 'high id, commits first')");
			second.commit();
			first.commit();
		}
		this.sql.insertMany("d6", "bulk", 20);
		List<Long> ids = this.sql.tickAndDrain("d6", "c").stream().map(EngineSql.Event::id).toList();
		assertThat(ids).hasSize(22).isSorted();
	}

	@Test
	void everySubscriberGetsEveryEventWhateverTheOthersDo() {
		queue("d7", "a");
		this.sql.subscribe("d7", "b");
		this.sql.subscribe("d7", "gone");
		List<Long> ids = this.sql.insertMany("d7", "x", 5);
		this.sql.tick("d7");
		// a finishes, b retries one event, gone unsubscribes with its batch open
		assertThat(this.sql.consumeOnce("d7", "a")).extracting(EngineSql.Event::id).containsExactlyElementsOf(ids);
		Long batchOfB = this.sql.nextBatch("d7", "b");
		this.jdbc.queryForObject("SELECT pgque.event_retry(?, ?, 0)", Integer.class, batchOfB, ids.get(0));
		this.sql.nextBatch("d7", "gone");
		this.sql.unsubscribe("d7", "gone");
		this.sql.subscribe("d7", "c");
		assertThat(this.sql.batchEvents(batchOfB)).extracting(EngineSql.Event::id).containsExactlyElementsOf(ids);
		this.sql.finishBatch(batchOfB);
		List<Long> more = this.sql.insertMany("d7", "y", 3);
		assertThat(this.sql.tickAndDrain("d7", "a")).extracting(EngineSql.Event::id).containsExactlyElementsOf(more);
		assertThat(this.sql.tickAndDrain("d7", "c")).extracting(EngineSql.Event::id).containsExactlyElementsOf(more);
	}

	@Test
	void withoutANewTickNextBatchIsNullAndTheSubscriptionIsUntouched() {
		queue("d8", "c");
		this.sql.insert("d8", "t", "not ticked");
		String row = "SELECT s.*::text FROM pgque.subscription s JOIN pgque.queue q ON q.queue_id = s.sub_queue"
				+ " WHERE q.queue_name = 'd8'";
		String before = this.jdbc.queryForObject(row, String.class);
		assertThat(this.sql.nextBatch("d8", "c")).isNull();
		Map<String, Object> info = this.jdbc.queryForMap("SELECT * FROM pgque.next_batch_info('d8', 'c')");
		assertThat(info.values()).containsOnlyNulls();
		assertThat(this.jdbc.queryForObject(row, String.class)).isEqualTo(before);
	}

	@Test
	void aConsumerKTicksBehindNeedsKRoundsEachWithItsOwnTicksEvents() {
		queue("d9", "c");
		List<List<Long>> perTick = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			perTick.add(this.sql.insertMany("d9", "t" + i, 2 + i));
			this.sql.tick("d9");
		}
		for (List<Long> expected : perTick) {
			assertThat(this.sql.consumeOnce("d9", "c")).extracting(EngineSql.Event::id)
				.containsExactlyElementsOf(expected);
		}
		assertThat(this.sql.nextBatch("d9", "c")).isNull();
	}

	@Test
	void createQueueLeavesOneTickAndTickIdsOnlyGrow() {
		this.sql.createQueue("d10");
		assertThat(ticks("d10")).hasSize(1);
		this.sql.tick("d10");
		this.sql.insert("d10", "t", "x");
		this.sql.tick("d10");
		assertThat(ticks("d10")).hasSize(3).isSorted().doesNotHaveDuplicates();
	}

	@Test
	void plainTickerAfterTheFirstInsertOnANewQueueTicks() {
		queue("d11", "c");
		long id = this.sql.insert("d11", "t", "first");
		assertThat(this.jdbc.queryForObject("SELECT pgque.ticker('d11')", Long.class)).isNotNull();
		assertThat(this.sql.consumeOnce("d11", "c")).extracting(EngineSql.Event::id).containsExactly(id);
	}

	@Test
	void batchIdsAreNeverReusedAndASubscriptionHasOneOpenBatch() {
		queue("d12", "c");
		List<Long> batches = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			this.sql.insert("d12", "t", "e" + i);
			this.sql.tick("d12");
			Long batch = this.sql.nextBatch("d12", "c");
			assertThat(this.sql.nextBatch("d12", "c")).isEqualTo(batch);
			batches.add(batch);
			this.sql.finishBatch(batch);
		}
		assertThat(batches).doesNotHaveDuplicates().isSorted();
	}

	private void queue(String queue, String consumer) {
		this.sql.createQueue(queue);
		this.sql.subscribe(queue, consumer);
	}

	private List<Long> ticks(String queue) {
		return this.jdbc.queryForList("SELECT tick_id FROM pgque.tick t JOIN pgque.queue q ON q.queue_id = t.tick_queue"
				+ " WHERE q.queue_name = ? ORDER BY t.ctid", Long.class, queue);
	}

}
