package io.pgque.spring.engine.api;

import java.util.List;

import io.pgque.spring.schema.PgqueChangelogs;
import io.pgque.spring.schema.PgqueLiquibaseRunner;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An install made before the batch readers shared the row type {@code pgque.batch_event}
 * (each of get_batch_events, get_batch_event and get_batch_cursor declared its columns as
 * OUT parameters) is brought to it by the next install: the functions are replaced, keep
 * their grants, and read what they read before.
 */
class BatchEventTypeUpgradeIntegrationTests {

	private static final List<String> READERS = List.of("pgque.get_batch_events(bigint)",
			"pgque.get_batch_event(bigint, bigint)", "pgque.get_batch_cursor(bigint, text, integer, text)",
			"pgque.get_batch_cursor(bigint, text, integer)");

	private static final String COLUMNS = "OUT ev_id bigint, OUT ev_time timestamptz, OUT ev_txid bigint,"
			+ " OUT ev_retry int4, OUT ev_type text, OUT ev_data text, OUT ev_extra1 text, OUT ev_extra2 text,"
			+ " OUT ev_extra3 text, OUT ev_extra4 text";

	// the readers as installs before the row type had them (bodies shortened: only the
	// shape matters to the upgrade)
	private static final String OLD_READERS = """
			DROP FUNCTION pgque.get_batch_cursor(bigint, text, integer);
			DROP FUNCTION pgque.get_batch_cursor(bigint, text, integer, text);
			DROP FUNCTION pgque.get_batch_event(bigint, bigint);
			DROP FUNCTION pgque.get_batch_events(bigint);
			CREATE FUNCTION pgque.get_batch_events(x_batch_id bigint, %1$s) RETURNS SETOF record
			LANGUAGE plpgsql AS $$ BEGIN RETURN QUERY EXECUTE pgque.batch_event_sql(x_batch_id); END; $$;
			CREATE FUNCTION pgque.get_batch_event(x_batch_id bigint, x_event_id bigint, %1$s) RETURNS SETOF record
			LANGUAGE plpgsql AS $$ BEGIN RETURN; END; $$;
			CREATE FUNCTION pgque.get_batch_cursor(i_batch_id bigint, i_cursor_name text, i_quick_limit int4,
			    i_extra_where text, %1$s) RETURNS SETOF record LANGUAGE plpgsql AS $$ BEGIN RETURN; END; $$;
			CREATE FUNCTION pgque.get_batch_cursor(i_batch_id bigint, i_cursor_name text, i_quick_limit int4,
			    %1$s) RETURNS SETOF record LANGUAGE sql AS $$ SELECT * FROM pgque.get_batch_cursor($1, $2, $3, NULL) $$;
			DELETE FROM pgque.pgque_databasechangelog WHERE id IN ('type-batch-event', 'batch_event_readers');
			DELETE FROM pgque.pgque_engine_marker;
			DROP TYPE pgque.batch_event;
			""".formatted(COLUMNS);

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final JdbcTemplate jdbc = db.jdbc();

	@Test
	void installingOverTheOldReadersReplacesThemAndTheyReadTheBatch() {
		ApiSql api = new ApiSql(this.jdbc);
		api.createQueue("upgraded");
		api.subscribe("upgraded", "reader");
		api.send("upgraded", "one");
		api.send("upgraded", "two");
		api.tick("upgraded");
		this.jdbc.execute(OLD_READERS);
		assertThat(resultTypes()).containsOnly("record");

		new PgqueLiquibaseRunner(db.dataSource(), getClass().getClassLoader()).update(PgqueChangelogs.ENGINE);

		assertThat(resultTypes()).containsOnly("pgque.batch_event");
		for (String reader : READERS) {
			assertThat(
					this.jdbc.queryForObject(
							"SELECT has_function_privilege('pgque_reader', '" + reader + "', 'EXECUTE')"
									+ " OR has_function_privilege('pgque_admin', '" + reader + "', 'EXECUTE')",
							Boolean.class))
				.as(reader)
				.isTrue();
		}
		Long batch = this.jdbc.queryForObject("SELECT pgque.next_batch('upgraded', 'reader')", Long.class);
		assertThat(this.jdbc.queryForList("SELECT ev_data FROM pgque.get_batch_events(?)", String.class, batch))
			.containsExactly("one", "two");
		Long second = this.jdbc.queryForObject("SELECT ev_id FROM pgque.get_batch_events(?) OFFSET 1", Long.class,
				batch);
		assertThat(
				this.jdbc.queryForList("SELECT ev_data FROM pgque.get_batch_event(?, ?)", String.class, batch, second))
			.containsExactly("two");
	}

	private List<String> resultTypes() {
		return READERS.stream()
			.map((reader) -> this.jdbc.queryForObject(
					"SELECT prorettype::regtype::text FROM pg_proc WHERE oid = '" + reader + "'::regprocedure",
					String.class))
			.toList();
	}

}
