package io.pgque.spring.engine.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import io.pgque.spring.schema.PgqueChangelogs;
import io.pgque.spring.schema.PgqueLiquibaseRunner;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code next_batch_custom} exists once: the engine and patch mode install it from the
 * same file, and both installs leave the same function body.
 */
class ReceiveLockPatchSourceIntegrationTests {

	private static final String SHARED = "engine/044-next-batch-custom.sql";

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	@Test
	void engineAndPatchInstallTheSameFunctionBody() {
		String engine = bodyMd5();
		// an upstream install: another body, and no record of the engine's changeset
		db.jdbc().execute("""
				CREATE OR REPLACE FUNCTION pgque.next_batch_custom(i_queue_name text, i_consumer_name text,
						i_min_lag interval, i_min_count int4, i_min_interval interval,
						OUT batch_id int8, OUT cur_tick_id int8, OUT prev_tick_id int8, OUT cur_tick_time timestamptz,
						OUT prev_tick_time timestamptz, OUT cur_tick_event_seq int8, OUT prev_tick_event_seq int8)
				LANGUAGE plpgsql AS $$ BEGIN RETURN; END; $$""");
		// nor the helper it calls
		db.jdbc().execute("DROP FUNCTION pgque.batch_end_tick(int4, int8, interval, int4, interval)");
		db.jdbc()
			.update("DELETE FROM pgque.pgque_databasechangelog WHERE id IN ('next_batch_custom/6', 'batch_end_tick')");
		assertThat(bodyMd5()).isNotEqualTo(engine);
		new PgqueLiquibaseRunner(db.dataSource()).update(PgqueChangelogs.RECEIVE_LOCK_PATCH);
		assertThat(bodyMd5()).isEqualTo(engine);
		assertThat(db.jdbc()
			.queryForObject("SELECT to_regprocedure('pgque.batch_end_tick(int4, int8, interval, int4, interval)')"
					+ " IS NOT NULL", Boolean.class))
			.isTrue();
	}

	@Test
	void bothChangelogsIncludeTheOneFileThatDefinesTheFunction() throws IOException {
		assertThat(read(PgqueChangelogs.ENGINE)).contains("\"" + SHARED + "\"");
		assertThat(read(PgqueChangelogs.RECEIVE_LOCK_PATCH)).contains("\"" + SHARED + "\"");
		int definitions = 0;
		for (Resource sql : new PathMatchingResourcePatternResolver()
			.getResources("classpath*:io/pgque/db/changelog/**/*.sql")) {
			try (InputStream in = sql.getInputStream()) {
				String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
				// the plain five-argument function; the cooperative overload takes a
				// subconsumer
				if (text.contains("FUNCTION pgque.next_batch_custom(i_queue_name text")) {
					definitions++;
					assertThat(sql.getFilename()).isEqualTo("044-next-batch-custom.sql");
				}
			}
		}
		assertThat(definitions).isOne();
	}

	private static String read(String location) throws IOException {
		try (InputStream in = ReceiveLockPatchSourceIntegrationTests.class.getClassLoader()
			.getResourceAsStream(location)) {
			assertThat(in).as(location).isNotNull();
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	private static String bodyMd5() {
		return db.jdbc()
			.queryForObject("SELECT md5(prosrc) FROM pg_proc WHERE oid = 'pgque.next_batch_custom(text, text,"
					+ " interval, int4, interval)'::regprocedure", String.class);
	}

}
