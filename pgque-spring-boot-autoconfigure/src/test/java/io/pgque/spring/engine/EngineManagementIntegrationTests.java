package io.pgque.spring.engine;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Queue and consumer management, bad input, maintenance and information functions
 * (contract §3.4-3.6, §4 invariants 42, 43, 46-48).
 */
class EngineManagementIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final EngineSql sql = new EngineSql(db.jdbc());

	private final JdbcTemplate jdbc = db.jdbc();

	@Test
	void createQueueReturnsOneThenZeroAndSetsUpItsObjects() {
		assertThat(this.sql.createQueue("m1")).isOne();
		assertThat(this.sql.createQueue("m1")).isZero();
		Map<String, Object> queue = this.jdbc.queryForMap("SELECT * FROM pgque.queue WHERE queue_name = 'm1'");
		long id = ((Number) queue.get("queue_id")).longValue();
		assertThat(queue).containsEntry("queue_data_pfx", "pgque.event_" + id)
			.containsEntry("queue_event_seq", "pgque.event_" + id + "_id_seq")
			.containsEntry("queue_tick_seq", "pgque.event_" + id + "_tick_seq")
			.containsEntry("queue_ntables", 3)
			.containsEntry("queue_cur_table", 0);
		assertThat(this.jdbc.queryForList("SELECT c.relname || ':' || coalesce(array_to_string(c.reloptions, ','), '')"
				+ " || ':' || (SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent"
				+ " WHERE i.inhrelid = c.oid) FROM pg_class c WHERE c.relnamespace = 'pgque'::regnamespace"
				+ " AND c.relname ~ ('^event_' || ? || '_\\d$') ORDER BY 1", String.class, id))
			.containsExactly(child(id, 0), child(id, 1), child(id, 2));
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pg_indexes WHERE schemaname = 'pgque'"
				+ " AND indexname ~ ('^event_' || ? || '_\\d_txid_idx$')", Integer.class, id))
			.isEqualTo(3);
		assertThat(this.jdbc.queryForObject("SELECT pgque.current_event_table('m1')", String.class))
			.isEqualTo("pgque.event_" + id + "_0");
		// data tables carry exactly the template's grants
		String acl = "SELECT coalesce(array_agg(a::text ORDER BY a::text), '{}') FROM pg_class c,"
				+ " aclexplode(c.relacl) a WHERE c.oid = ?::regclass";
		assertThat(this.jdbc.queryForObject(acl, String.class, "pgque.event_" + id + "_1"))
			.isEqualTo(this.jdbc.queryForObject(acl, String.class, "pgque.event_template"));
	}

	private static String child(long id, int n) {
		return "event_" + id + "_" + n + ":fillfactor=100,autovacuum_enabled=off:event_" + id;
	}

	@Test
	void badQueueNamesFailClearlyAndCreateNothing() {
		String tooLong = "q".repeat(58);
		int queues = count("SELECT count(*) FROM pgque.queue");
		int relations = count("SELECT count(*) FROM pg_class WHERE relnamespace = 'pgque'::regnamespace");
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> this.sql.createQueue(null))
			.withMessageContaining("must not be null");
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> this.sql.createQueue(""))
			.withMessageContaining("must not be empty");
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> this.sql.createQueue(tooLong))
			.withMessageContaining("queue name too long")
			.withMessageContaining("57");
		// 28 two-byte letters and one ASCII letter: 57 bytes, the most a name may have
		String multiByte = "ж".repeat(28) + "a";
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> this.sql.createQueue(multiByte + "b"));
		assertThat(count("SELECT count(*) FROM pgque.queue")).isEqualTo(queues);
		assertThat(count("SELECT count(*) FROM pg_class WHERE relnamespace = 'pgque'::regnamespace"))
			.isEqualTo(relations);
		assertThat(this.sql.createQueue(multiByte)).isOne();
		this.sql.subscribe(multiByte, "c");
		long id = this.sql.insert(multiByte, "t", "fits the NOTIFY channel");
		assertThat(this.sql.tickAndDrain(multiByte, "c")).extracting(EngineSql.Event::id).containsExactly(id);
	}

	@Test
	void unknownQueuesConsumersAndBatchesGiveClearErrors() {
		this.sql.createQueue("m3");
		assertError("SELECT pgque.insert_event('nope', 't', 'd')", "queue not found: nope");
		assertError("SELECT pgque.register_consumer('nope', 'c')", "Event queue not created");
		assertError("SELECT pgque.next_batch('nope', 'c')", "Not subscriber to queue");
		assertError("SELECT pgque.next_batch('m3', 'nobody')", "Not subscriber to queue");
		assertError("SELECT pgque.ticker('nope')", "no such queue");
		assertError("SELECT pgque.drop_queue('nope', true)", "No such event queue");
		assertError("SELECT pgque.current_event_table('nope')", "event queue not found");
		assertError("SELECT pgque.register_consumer('m3', '')", "consumer name");
		assertError("SELECT pgque.register_consumer_at('m3', 'c', 987654)", "tick not found");
		assertThat(this.sql.unsubscribe("m3", "nobody")).isZero();
		assertThat(this.sql.unsubscribe("nope", "nobody")).isZero();
		assertThat(this.sql.finishBatch(987654321L)).isZero();
		assertThat(count("SELECT count(*) FROM pgque.consumer WHERE co_name IN ('c', 'nobody', '')")).isZero();
	}

	@Test
	void insertsCanBeDisabledExceptForReplication() throws Exception {
		this.sql.createQueue("m4");
		this.jdbc.update("UPDATE pgque.queue SET queue_disable_insert = true WHERE queue_name = 'm4'");
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> this.sql.insert("m4", "t", "d"))
			.withMessageContaining("Insert into queue disallowed");
		try (Connection connection = db.newConnection(); Statement statement = connection.createStatement()) {
			statement.execute("SET session_replication_role = replica");
			statement.execute("SELECT pgque.insert_event_raw('m4', 4242, now(), NULL, NULL, 't', 'replicated',"
					+ " NULL, NULL, NULL, NULL)");
		}
		assertThat(this.jdbc
			.queryForObject("SELECT ev_id FROM pgque.event_template e" + " WHERE ev_data = 'replicated'", Long.class))
			.isEqualTo(4242);
	}

	@Test
	void dropQueueRefusesWhileSubscribedAndWithForceRemovesEverything() {
		this.sql.createQueue("m5");
		this.sql.subscribe("m5", "m5_only_here");
		this.sql.subscribe("m5", "m5_elsewhere_too");
		this.sql.createQueue("m5_other");
		this.sql.subscribe("m5_other", "m5_elsewhere_too");
		long id = this.sql.insert("m5", "t", "d");
		this.sql.tick("m5");
		Long batch = this.sql.nextBatch("m5", "m5_only_here");
		this.jdbc.queryForObject("SELECT pgque.event_retry(?, ?, 3600)", Integer.class, batch, id);
		long queueId = this.sql.queueId("m5");
		this.jdbc.update("INSERT INTO pgque.dead_letter (dl_queue_id, dl_consumer_id, ev_id, ev_time)"
				+ " SELECT ?, co_id, 1, now() FROM pgque.consumer WHERE co_name = 'm5_elsewhere_too'", queueId);

		assertError("SELECT pgque.drop_queue('m5')", "consumers are still subscribed");
		assertError("SELECT pgque.drop_queue('m5', false)", "consumers are still subscribed");
		assertThat(this.sql.dropQueue("m5", true)).isOne();

		assertThat(count("SELECT count(*) FROM pg_class WHERE relnamespace = 'pgque'::regnamespace"
				+ " AND relname LIKE 'event\\_" + queueId + "%'"))
			.isZero();
		for (String table : List.of("tick WHERE tick_queue", "retry_queue WHERE ev_queue",
				"subscription WHERE sub_queue", "dead_letter WHERE dl_queue_id", "queue WHERE queue_id")) {
			assertThat(count("SELECT count(*) FROM pgque." + table + " = " + queueId)).as(table).isZero();
		}
		assertThat(this.jdbc.queryForList("SELECT co_name FROM pgque.consumer WHERE co_name LIKE 'm5%'", String.class))
			.containsExactly("m5_elsewhere_too");
		assertThat(this.sql.tickAndDrain("m5_other", "m5_elsewhere_too")).isEmpty();
	}

	@Test
	void registerConsumerAtRepositionsAndUnregisterRemovesTheLonelyConsumerAndItsDeadLetters() {
		this.sql.createQueue("m6");
		assertThat(this.sql.subscribe("m6", "c6")).isOne();
		assertThat(this.sql.subscribe("m6", "c6")).isZero();
		long start = this.jdbc.queryForObject("SELECT max(tick_id) FROM pgque.tick WHERE tick_queue = ?", Long.class,
				this.sql.queueId("m6"));
		long id = this.sql.insert("m6", "t", "d");
		assertThat(this.sql.tickAndDrain("m6", "c6")).hasSize(1);
		this.sql.nextBatch("m6", "c6");
		// back to where it started: the open batch is dropped and the event comes again
		assertThat(this.jdbc.queryForObject("SELECT pgque.register_consumer_at('m6', 'c6', ?)", Integer.class, start))
			.isZero();
		assertThat(this.sql.consumeOnce("m6", "c6")).extracting(EngineSql.Event::id).containsExactly(id);

		this.jdbc.update(
				"INSERT INTO pgque.dead_letter (dl_queue_id, dl_consumer_id, ev_id, ev_time)"
						+ " SELECT ?, co_id, 1, now() FROM pgque.consumer WHERE co_name = 'c6'",
				this.sql.queueId("m6"));
		assertThat(this.sql.unsubscribe("m6", "c6")).isOne();
		assertThat(this.sql.unsubscribe("m6", "c6")).isZero();
		assertThat(count("SELECT count(*) FROM pgque.consumer WHERE co_name = 'c6'")).isZero();
		assertThat(count("SELECT count(*) FROM pgque.dead_letter WHERE dl_queue_id = " + this.sql.queueId("m6")))
			.isZero();
	}

	@Test
	void configHasExactlyOneRow() {
		assertThat(this.jdbc.queryForList("SELECT tick_period_ms FROM pgque.config", Integer.class))
			.containsExactly(100);
		assertThatExceptionOfType(DuplicateKeyException.class)
			.isThrownBy(() -> this.jdbc.update("INSERT INTO pgque.config DEFAULT VALUES"));
	}

	@Test
	void everySecurityDefinerFunctionPinsItsSearchPath() {
		List<String> unpinned = this.jdbc.queryForList(
				"SELECT p.oid::regprocedure::text FROM pg_proc p"
						+ " WHERE p.pronamespace = 'pgque'::regnamespace AND p.prosecdef"
						+ " AND NOT coalesce('search_path=pgque, pg_catalog, pg_temp' = ANY (p.proconfig), false)",
				String.class);
		assertThat(unpinned).isEmpty();
		assertThat(count("SELECT count(*) FROM pg_proc WHERE pronamespace = 'pgque'::regnamespace AND prosecdef"))
			.isGreaterThan(10);
	}

	@Test
	void maintRunsExtraMaintenanceOnlyWhenOwnedByItsOwner() {
		String intruder = "pgque_test_intruder_" + UUID.randomUUID().toString().substring(0, 8);
		this.sql.createQueue("m8");
		this.jdbc.execute("CREATE TABLE public.maint_log (fn text, arg text)");
		this.jdbc.execute("CREATE FUNCTION public.owned_maint(q text) RETURNS integer LANGUAGE sql"
				+ " AS $$ INSERT INTO public.maint_log VALUES ('owned', q) RETURNING 1 $$");
		this.jdbc.execute("CREATE FUNCTION public.intruder_maint(q text) RETURNS integer LANGUAGE sql"
				+ " AS $$ INSERT INTO public.maint_log VALUES ('intruder', q) RETURNING 1 $$");
		this.jdbc.execute("CREATE ROLE " + intruder + " NOLOGIN");
		try {
			this.jdbc.execute("ALTER FUNCTION public.intruder_maint(text) OWNER TO " + intruder);
			this.jdbc.update("UPDATE pgque.queue SET queue_extra_maint = '{public.intruder_maint, public.missing_maint,"
					+ " public.owned_maint}' WHERE queue_name = 'm8'");
			assertThat(this.jdbc.queryForList("SELECT func_name FROM pgque.maint_operations() WHERE func_arg = 'm8'",
					String.class))
				.containsExactly("public.intruder_maint", "public.missing_maint", "public.owned_maint");
			assertThat(this.jdbc.queryForObject("SELECT pgque.maint()", Integer.class)).isOne();
			assertThat(this.jdbc.queryForList("SELECT fn || ':' || arg FROM public.maint_log", String.class))
				.containsExactly("owned:m8");
		}
		finally {
			this.jdbc.update("UPDATE pgque.queue SET queue_extra_maint = NULL WHERE queue_name = 'm8'");
			this.jdbc.execute("DROP FUNCTION public.intruder_maint(text)");
			this.jdbc.execute("DROP ROLE " + intruder);
		}
	}

	@Test
	void maintOperationsListsRotationStepsInOrder() {
		this.sql.createQueue("m9_b");
		this.sql.createQueue("m9_a");
		this.jdbc.update("UPDATE pgque.queue SET queue_rotation_period = '1 microsecond' WHERE queue_name LIKE 'm9%'");
		List<String> ops = this.jdbc
			.queryForList("SELECT func_name || '(' || coalesce(func_arg, '') || ')' FROM pgque.maint_operations()"
					+ " WHERE func_arg IS NULL OR func_arg LIKE 'm9%'", String.class);
		assertThat(ops).startsWith("pgque.maint_rotate_tables_step1(m9_a)", "pgque.maint_rotate_tables_step1(m9_b)",
				"pgque.maint_rotate_tables_step2()");
		assertThat(this.jdbc.queryForObject("SELECT pgque.maint()", Integer.class)).isZero();
		assertThat(this.jdbc.queryForList("SELECT queue_cur_table FROM pgque.queue WHERE queue_name LIKE 'm9%'",
				Integer.class))
			.containsOnly(1);
		this.jdbc.queryForObject("SELECT pgque.maint_rotate_tables_step2()", Integer.class);
	}

	@Test
	void infoFunctionsDescribeQueuesAndConsumers() {
		this.sql.createQueue("m10");
		this.sql.subscribe("m10", "reader_a");
		this.sql.subscribe("m10", "reader_b");
		this.sql.insertMany("m10", "x", 3);
		long tick = this.sql.tick("m10");
		this.sql.insertMany("m10", "y", 2);
		Long batch = this.sql.nextBatch("m10", "reader_a");

		Map<String, Object> queue = this.jdbc.queryForMap("SELECT * FROM pgque.get_queue_info('m10')");
		assertThat(queue).containsEntry("queue_name", "m10").containsEntry("last_tick_id", tick);
		assertThat(queue).containsEntry("ev_new", 2L);
		assertThat(queue.get("ticker_lag")).isNotNull();
		assertThat(this.jdbc.queryForList("SELECT queue_name FROM pgque.get_queue_info()", String.class))
			.contains("m10")
			.isSorted();

		List<Map<String, Object>> consumers = this.jdbc.queryForList("SELECT * FROM pgque.get_consumer_info('m10')");
		assertThat(consumers).extracting((row) -> row.get("consumer_name")).containsExactly("reader_a", "reader_b");
		assertThat(consumers.get(0)).containsEntry("current_batch", batch).containsEntry("next_tick", tick);
		assertThat((Long) consumers.get(1).get("pending_events")).isPositive();
		assertThat(consumers.get(1).get("current_batch")).isNull();
		assertThat(this.jdbc.queryForList("SELECT * FROM pgque.get_consumer_info('m10', 'reader_b')")).hasSize(1);
		assertThat(this.jdbc
			.queryForList("SELECT consumer_name FROM pgque.get_consumer_info() WHERE queue_name = 'm10'", String.class))
			.containsExactly("reader_a", "reader_b");
	}

	@Test
	void sequenceAndNameHelpersWork() {
		this.jdbc.execute("CREATE SEQUENCE public.helper_seq");
		assertThat(this.jdbc.queryForObject("SELECT pgque.seq_getval('public.helper_seq')", Long.class)).isOne();
		assertThat(this.jdbc.queryForObject("SELECT pgque.seq_setval('public.helper_seq', 50)", Long.class))
			.isEqualTo(50);
		assertThat(this.jdbc.queryForObject("SELECT pgque.seq_setval('public.helper_seq', 10)", Long.class))
			.isEqualTo(50);
		this.jdbc.queryForObject("SELECT nextval('public.helper_seq')", Long.class);
		assertThat(this.jdbc.queryForObject("SELECT pgque.seq_getval('public.helper_seq')", Long.class)).isEqualTo(51);
		// not called since: the stored value, as for a fresh sequence
		this.jdbc.queryForObject("SELECT setval('public.helper_seq', 70, false)", Long.class);
		assertThat(this.jdbc.queryForObject("SELECT pgque.seq_getval('public.helper_seq')", Long.class)).isEqualTo(70);
		assertThat(this.jdbc.queryForObject("SELECT pgque.quote_fqname('Odd Schema.t.x')", String.class))
			.isEqualTo("\"Odd Schema\".\"t.x\"");
		assertThat(this.jdbc.queryForObject("SELECT pgque.quote_fqname('plain')", String.class))
			.isEqualTo("public.plain");
		assertThat(this.jdbc.queryForObject("SELECT pgque.upgrade_schema()", Integer.class)).isZero();
	}

	private void assertError(String sql, String message) {
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> this.jdbc.queryForList(sql))
			.withMessageContaining(message);
	}

	private int count(String sql) {
		return this.jdbc.queryForObject(sql, Integer.class);
	}

}
