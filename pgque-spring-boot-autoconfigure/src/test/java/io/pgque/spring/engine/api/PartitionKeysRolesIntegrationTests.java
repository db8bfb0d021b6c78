package io.pgque.spring.engine.api;

import java.util.List;
import java.util.Map;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may do what with partition keys (extended contract §B.2, §B.5, §B.9 #15): the
 * writer sends with a key, the reader consumes slots and reads the status view, nobody
 * but the admin (SELECT only) touches the pin and lease tables, and the internal helpers
 * are the owner's alone.
 */
class PartitionKeysRolesIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	@Test
	void theWriterSendsWithAKeyAndTheReaderConsumesSlotsUnderItsOwnRole() throws Exception {
		ApiSql api = new ApiSql(db.jdbc());
		api.createQueue("pk_roles");
		try (SingleConnectionDataSource writerSession = session("pgque_writer");
				SingleConnectionDataSource readerSession = session("pgque_reader")) {
			JdbcTemplate writer = new JdbcTemplate(writerSession);
			JdbcTemplate reader = new JdbcTemplate(readerSession);
			SlotSql asReader = new SlotSql(reader);
			assertThat(asReader.subscribeAll("pk_roles", "c", 2)).isEqualTo(2);
			long id = writer.queryForObject("SELECT pgque.send('pk_roles', 't', 'x'::text, 'tenant-a')", Long.class);
			assertThat(writer.queryForObject("SELECT pgque.send('pk_roles', 't', '{}'::jsonb, 'tenant-a')", Long.class))
				.isGreaterThan(id);
			SqlErrors
				.denied(() -> reader.queryForObject("SELECT pgque.send('pk_roles', 't', 'x'::text, 'k')", Long.class));
			SqlErrors
				.denied(() -> writer.queryForObject("SELECT pgque.claim_slot('pk_roles', 'c', 0, 'w')", Long.class));
			api.tick("pk_roles");
			assertThat(asReader.claim("pk_roles", "c", 0, "w")).isEqualTo(1L);
			assertThat(asReader.receive("pk_roles", "c", 0, 2, "w")).hasSize(2);
			assertThat(asReader.ack("pk_roles", "c", 0, 2, "w")).isOne();
			assertThat(asReader.release("pk_roles", "c", 0, "w")).isTrue();
			List<Map<String, Object>> status = asReader.status("pk_roles", "c");
			assertThat(status).hasSize(2);
			SqlErrors.denied(() -> reader.queryForList("SELECT * FROM pgque.partition_slot"));
			SqlErrors.denied(() -> reader.queryForList("SELECT * FROM pgque.partition_consumer"));
			SqlErrors.denied(() -> reader.update("UPDATE pgque.partition_slot SET lease_owner = 'me'"));
			SqlErrors.denied(() -> writer.queryForList("SELECT * FROM pgque.partition_slot_status"));
		}
	}

	@Test
	void tablePrivilegesFollowTheContract() {
		JdbcTemplate jdbc = db.jdbc();
		for (String table : List.of("pgque.partition_consumer", "pgque.partition_slot", "pgque.partition_epoch",
				"pgque.partition_worker")) {
			for (String role : List.of("public", "pgque_reader", "pgque_writer")) {
				for (String privilege : List.of("SELECT", "INSERT", "UPDATE", "DELETE")) {
					assertThat(jdbc.queryForObject("SELECT has_table_privilege(?, ?, ?)", Boolean.class, role, table,
							privilege))
						.as("%s %s on %s", role, privilege, table)
						.isFalse();
				}
			}
		}
		assertThat(jdbc.queryForObject(
				"SELECT has_table_privilege('pgque_admin', 'pgque.partition_slot', 'SELECT')"
						+ " AND NOT has_table_privilege('pgque_admin', 'pgque.partition_slot', 'UPDATE')"
						+ " AND has_table_privilege('pgque_admin', 'pgque.partition_consumer', 'SELECT')"
						+ " AND NOT has_table_privilege('pgque_admin', 'pgque.partition_consumer', 'DELETE')"
						+ " AND NOT has_table_privilege('pgque_admin', 'pgque.partition_epoch', 'SELECT')"
						+ " AND has_table_privilege('pgque_reader', 'pgque.partition_slot_status', 'SELECT')"
						+ " AND has_table_privilege('pgque_admin', 'pgque.partition_slot_status', 'SELECT')"
						+ " AND NOT has_table_privilege('pgque_writer', 'pgque.partition_slot_status', 'SELECT')",
				Boolean.class))
			.isTrue();
	}

	@Test
	void functionPrivilegesFollowTheContract() {
		JdbcTemplate jdbc = db.jdbc();
		List<String> readerFunctions = List.of("subscribe_slot", "subscribe_slots", "unsubscribe_slot", "claim_slot",
				"release_slot", "receive_partitioned", "ack_partitioned", "nack_partitioned", "slot_worker_beat",
				"slot_worker_leave", "renew_slots");
		assertThat(jdbc.queryForList(
				"SELECT DISTINCT p.proname::text FROM pg_proc p"
						+ " WHERE p.pronamespace = 'pgque'::regnamespace AND p.proname = ANY (?::text[])"
						+ " AND has_function_privilege('pgque_reader', p.oid, 'EXECUTE')"
						+ " AND NOT has_function_privilege('pgque_writer', p.oid, 'EXECUTE')"
						+ " AND NOT has_function_privilege('public', p.oid, 'EXECUTE') AND p.prosecdef",
				String.class, (Object) readerFunctions.toArray(String[]::new)))
			.containsExactlyInAnyOrderElementsOf(readerFunctions);
		assertThat(jdbc.queryForList("SELECT p.oid::regprocedure::text FROM pg_proc p"
				+ " WHERE p.pronamespace = 'pgque'::regnamespace AND (p.proname LIKE '\\_slot%' OR p.proname IN"
				+ " ('_partition_pin', '_nack_batch_event')) AND (has_function_privilege('pgque_admin', p.oid, 'EXECUTE')"
				+ " OR has_function_privilege('pgque_reader', p.oid, 'EXECUTE'))", String.class))
			.isEmpty();
		assertThat(jdbc.queryForObject("SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'pgque'::regnamespace"
				+ " AND p.proname = 'send' AND p.pronargs = 4 AND has_function_privilege('pgque_writer', p.oid, 'EXECUTE')",
				Integer.class))
			.isEqualTo(2);
	}

	private static SingleConnectionDataSource session(String role) throws Exception {
		SingleConnectionDataSource dataSource = new SingleConnectionDataSource(db.newConnection(), true);
		new JdbcTemplate(dataSource).execute("SET ROLE " + role);
		return dataSource;
	}

}
