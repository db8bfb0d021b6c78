package io.pgque.spring.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.pgque.spring.schema.PgqueChangelogs;
import io.pgque.spring.schema.PgqueLiquibaseRunner;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Installing is idempotent, and an edited function re-applies alone: functions are
 * {@code runOnChange} changesets recorded in the engine's own changelog table.
 */
class EngineInstallIntegrationTests {

	private static final String CHANGELOG_DIR = "io/pgque/db/changelog";

	// Grants re-run on every install by design; every other changeset must stay put.
	private static final String RUN_ALWAYS_FILE = "190-roles-grants.sql";

	// send's generated writer is rewritten at every install (040-events.sql)
	private static final String RUN_ALWAYS_CHANGESET = "event_writer:";

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final JdbcTemplate jdbc = db.jdbc();

	@Test
	void installingAgainRunsNothing() {
		install(getClass().getClassLoader());
		Map<String, Row> before = changelog();
		install(getClass().getClassLoader());
		Map<String, Row> after = changelog();

		assertThat(before).hasSizeGreaterThan(50);
		assertThat(after).isEqualTo(before);
	}

	@Test
	void editingOneFunctionReappliesOnlyThatChangeset(@TempDir Path dir) throws Exception {
		copyChangelogs(dir);
		Path ticker = dir.resolve(CHANGELOG_DIR).resolve("engine/030-ticker.sql");
		String original = Files.readString(ticker);
		String edited = original.replace("\tSELECT pgque.force_next_tick($1)\n$$",
				"\tSELECT pgque.force_next_tick($1) AS edited_by_a_test\n$$");
		assertThat(edited).isNotEqualTo(original);
		Files.writeString(ticker, edited);

		install(getClass().getClassLoader());
		Map<String, Row> before = changelog();
		try (URLClassLoader edits = new URLClassLoader(new URL[] { dir.toUri().toURL() }, null)) {
			install(edits);
		}
		Map<String, Row> after = changelog();

		List<String> reran = changed(before, after).stream()
			.filter((key) -> !key.endsWith(RUN_ALWAYS_FILE) && !key.startsWith(RUN_ALWAYS_CHANGESET))
			.toList();
		assertThat(reran).containsExactly("force_tick:" + CHANGELOG_DIR + "/engine/030-ticker.sql");
		Row forceTick = after.get(reran.get(0));
		assertThat(forceTick.md5sum()).isNotEqualTo(before.get(reran.get(0)).md5sum());
		assertThat(forceTick.exectype()).isEqualTo("RERAN");
		assertThat(this.jdbc.queryForObject(
				"SELECT prosrc FROM pg_proc WHERE oid = 'pgque.force_tick(text)'::regprocedure", String.class))
			.contains("edited_by_a_test");

		// and the shipped text puts it back
		install(getClass().getClassLoader());
		assertThat(this.jdbc.queryForObject(
				"SELECT prosrc FROM pg_proc WHERE oid = 'pgque.force_tick(text)'::regprocedure", String.class))
			.doesNotContain("edited");
	}

	@Test
	void functionsKeepTheirCommentsInTheDatabase() {
		assertThat(this.jdbc.queryForObject("SELECT prosrc FROM pg_proc WHERE oid = 'pgque.next_batch_custom(text,"
				+ " text, interval, int4, interval)'::regprocedure", String.class))
			.contains("-- Already open: hand out the same batch again.");
	}

	private static void install(ClassLoader classLoader) {
		new PgqueLiquibaseRunner(db.dataSource(), classLoader).update(PgqueChangelogs.ENGINE);
	}

	private static List<String> changed(Map<String, Row> before, Map<String, Row> after) {
		return after.values()
			.stream()
			.filter((row) -> !row.equals(before.get(row.key())))
			.map(Row::key)
			.sorted()
			.toList();
	}

	private Map<String, Row> changelog() {
		return this.jdbc
			.query("SELECT id, filename, md5sum, dateexecuted::text, orderexecuted, exectype"
					+ " FROM pgque.pgque_databasechangelog",
					(rs, n) -> new Row(rs.getString("id") + ":" + rs.getString("filename"), rs.getString("md5sum"),
							rs.getString("dateexecuted"), rs.getInt("orderexecuted"), rs.getString("exectype")))
			.stream()
			.collect(Collectors.toMap(Row::key, Function.identity()));
	}

	// The changelogs as the build ships them, copied under the same relative paths, so
	// Liquibase sees the same changeset identities.
	private void copyChangelogs(Path target) throws URISyntaxException, IOException {
		URL root = Objects.requireNonNull(getClass().getClassLoader().getResource(CHANGELOG_DIR));
		Path source = Paths.get(root.toURI());
		try (Stream<Path> files = Files.walk(source)) {
			files.forEach((file) -> {
				Path copy = target.resolve(CHANGELOG_DIR).resolve(source.relativize(file).toString());
				try {
					if (Files.isDirectory(file)) {
						Files.createDirectories(copy);
					}
					else {
						Files.copy(file, copy);
					}
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
		}
	}

	private record Row(String key, String md5sum, String dateexecuted, int orderexecuted, String exectype) {

	}

}
