package io.pgque.spring.engine;

import java.sql.Connection;
import java.util.List;
import java.util.Map;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The batch life-cycle (contract §4, invariants 13-19) and the batch variants:
 * next_batch_custom limits, next_batch_info, get_batch_cursor, get_batch_info.
 */
class EngineBatchIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final EngineSql sql = new EngineSql(db.jdbc());

	private final JdbcTemplate jdbc = db.jdbc();

	@Test
	void anOpenBatchIsHandedOutAgainWithTheSameEvents() {
		queue("b1");
		List<Long> ids = this.sql.insertMany("b1", "x", 3);
		this.sql.tick("b1");
		Long first = this.sql.nextBatch("b1", "c");
		List<EngineSql.Event> events = this.sql.batchEvents(first);
		assertThat(events).extracting(EngineSql.Event::id).containsExactlyElementsOf(ids);
		assertThat(this.sql.nextBatch("b1", "c")).isEqualTo(first);
		assertThat(this.sql.batchEvents(first)).isEqualTo(events);
	}

	@Test
	void finishBatchReturnsOneThenZeroAndZeroForAnUnknownBatch() {
		queue("b2");
		this.sql.tick("b2");
		Long batch = this.sql.nextBatch("b2", "c");
		assertThat(this.sql.finishBatch(batch)).isOne();
		assertThat(this.sql.finishBatch(batch)).isZero();
		assertThat(this.sql.finishBatch(987654321L)).isZero();
		assertThat(this.jdbc.queryForObject("SELECT pgque.finish_batch(NULL)", Integer.class)).isZero();
	}

	@Test
	void anEmptyWindowGivesAnEmptyBatchAndTheNextTicksEventsFollow() {
		queue("b3");
		this.sql.tick("b3");
		assertThat(this.sql.consumeOnce("b3", "c")).isEmpty();
		long id = this.sql.insert("b3", "t", "after the empty window");
		this.sql.tick("b3");
		assertThat(this.sql.consumeOnce("b3", "c")).extracting(EngineSql.Event::id).containsExactly(id);
	}

	@Test
	void getBatchEventsOnAnUnknownBatchRaisesBatchNotFound() {
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> this.sql.batchEvents(987654321L))
			.withMessageContaining("batch not found");
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> this.jdbc.queryForList("SELECT pgque.batch_event_tables(987654321)"))
			.withMessageContaining("Cannot find data for batch");
	}

	@Test
	void nextBatchInfoDescribesBothTicks() {
		queue("b4");
		this.sql.insertMany("b4", "x", 4);
		long tick = this.sql.tick("b4");
		Map<String, Object> info = this.jdbc.queryForMap("SELECT * FROM pgque.next_batch_info('b4', 'c')");
		assertThat(info.get("batch_id")).isNotNull();
		assertThat(info.get("cur_tick_id")).isEqualTo(tick);
		assertThat((Long) info.get("prev_tick_id")).isLessThan(tick);
		assertThat((Long) info.get("cur_tick_event_seq")).isGreaterThan((Long) info.get("prev_tick_event_seq"));
		assertThat(info.get("cur_tick_time")).isNotNull();
		Map<String, Object> again = this.jdbc.queryForMap("SELECT * FROM pgque.next_batch_info('b4', 'c')");
		assertThat(again).isEqualTo(info);
	}

	@Test
	void minLagHoldsBackATickThatIsTooYoung() {
		queue("b5");
		this.sql.insert("b5", "t", "x");
		this.sql.tick("b5");
		assertThat(this.jdbc.queryForObject(
				"SELECT batch_id FROM pgque.next_batch_custom('b5', 'c', '1 hour', NULL, NULL)", Long.class))
			.isNull();
		assertThat(this.jdbc.queryForObject(
				"SELECT batch_id FROM pgque.next_batch_custom('b5', 'c', '0 seconds', NULL, NULL)", Long.class))
			.isNotNull();
	}

	@Test
	void minCountSpansSeveralTicksUntilEnoughEventsWaited() {
		queue("b6");
		List<Long> all = new java.util.ArrayList<>();
		all.addAll(this.sql.insertMany("b6", "a", 1));
		this.sql.tick("b6");
		// force_next_tick pushes the event sequence by 2*max_count+1000, so every forced
		// tick counts as at least that many events: use a count above two ticks' worth.
		String custom = "SELECT batch_id FROM pgque.next_batch_custom('b6', 'c', NULL, ?, NULL)";
		int perTick = 2 * 500 + 1000;
		assertThat(this.jdbc.queryForObject(custom, Long.class, 3 * perTick)).isNull();
		all.addAll(this.sql.insertMany("b6", "b", 2));
		this.sql.tick("b6");
		all.addAll(this.sql.insertMany("b6", "c", 1));
		this.sql.tick("b6");
		Long batch = this.jdbc.queryForObject(custom, Long.class, 3 * perTick);
		assertThat(batch).isNotNull();
		assertThat(this.sql.batchEvents(batch)).extracting(EngineSql.Event::id).containsExactlyElementsOf(all);
	}

	@Test
	void findTickHelperTakesTheFirstTickThatIsEnoughWhenFarBehind() {
		queue("b7");
		long queueId = this.sql.queueId("b7");
		for (int i = 0; i < 6; i++) {
			this.sql.insert("b7", "t", "e" + i);
			this.sql.tick("b7");
		}
		List<Map<String, Object>> ticks = this.jdbc.queryForList(
				"SELECT tick_id, tick_time, tick_event_seq FROM pgque.tick WHERE tick_queue = ? ORDER BY tick_id",
				queueId);
		Map<String, Object> first = ticks.get(0);
		long step = (Long) ticks.get(2).get("tick_event_seq") - (Long) first.get("tick_event_seq");
		Map<String, Object> found = this.jdbc.queryForMap(
				"SELECT * FROM pgque.find_tick_helper(?::int4, ?, ?, ?, ?, NULL)", queueId, first.get("tick_id"),
				first.get("tick_time"), first.get("tick_event_seq"), step);
		// the newest tick is more than twice the limit away, so the earliest enough one
		// wins
		assertThat(found.get("next_tick_id")).isEqualTo(ticks.get(2).get("tick_id"));
		Map<String, Object> none = this.jdbc.queryForMap(
				"SELECT * FROM pgque.find_tick_helper(?::int4, ?, ?, ?, ?, NULL)", queueId, first.get("tick_id"),
				first.get("tick_time"), first.get("tick_event_seq"), Long.MAX_VALUE / 4);
		assertThat(none.values()).containsOnlyNulls();
	}

	@Test
	void getBatchCursorReturnsTheFirstRowsAndTheCursorTheRest() throws Exception {
		queue("b8");
		List<Long> ids = this.sql.insertMany("b8", "x", 5);
		this.sql.tick("b8");
		Long batch = this.sql.nextBatch("b8", "c");
		try (Connection connection = db.newConnection()) {
			connection.setAutoCommit(false);
			JdbcTemplate tx = new JdbcTemplate(new SingleConnectionDataSource(connection, true));
			assertThat(
					tx.queryForList("SELECT ev_id FROM pgque.get_batch_cursor(?, 'my cursor', 2)", Long.class, batch))
				.containsExactlyElementsOf(ids.subList(0, 2));
			assertThat(tx.query("FETCH ALL FROM \"my cursor\"", (rs, row) -> rs.getLong("ev_id")))
				.containsExactlyElementsOf(ids.subList(2, 5));
			assertThat(
					tx.queryForList("SELECT ev_id FROM pgque.get_batch_cursor(?, 'filtered', 10, 'ev_data <> ''x3''')",
							Long.class, batch))
				.containsExactly(ids.get(0), ids.get(1), ids.get(3), ids.get(4));
			assertThat(tx.queryForList("SELECT ev_id FROM pgque.get_batch_cursor(?, 'none', 0)", Long.class, batch))
				.isEmpty();
			assertThat(tx.queryForList("SELECT ev_id FROM pgque.get_batch_cursor(NULL, 'null', 5)", Long.class))
				.isEmpty();
			connection.rollback();
		}
	}

	@Test
	void getBatchInfoDescribesABatchAndGivesOneNullRowForAnUnknownOne() {
		queue("b9");
		this.sql.insert("b9", "t", "x");
		long tick = this.sql.tick("b9");
		Long batch = this.sql.nextBatch("b9", "c");
		Map<String, Object> info = this.jdbc.queryForMap("SELECT * FROM pgque.get_batch_info(?)", batch);
		assertThat(info).containsEntry("queue_name", "b9")
			.containsEntry("consumer_name", "c")
			.containsEntry("tick_id", tick);
		assertThat(info.get("lag")).isNotNull();
		assertThat((Long) info.get("seq_end")).isGreaterThan((Long) info.get("seq_start"));
		List<Map<String, Object>> unknown = this.jdbc.queryForList("SELECT * FROM pgque.get_batch_info(987654321)");
		assertThat(unknown).singleElement().satisfies((row) -> assertThat(row.values()).containsOnlyNulls());
	}

	private void queue(String queue) {
		this.sql.createQueue(queue);
		this.sql.subscribe(queue, "c");
	}

}
