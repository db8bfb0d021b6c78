package io.pgque.spring.schema;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No crash at any moment of an install blocks a later start, concurrent starts install
 * once, and a start with the engine up to date writes nothing.
 */
class PgqueCrashSafeInstallIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase installed = PgqueTestDatabase.withEngine();

	@RegisterExtension
	static final PgqueTestDatabase concurrent = PgqueTestDatabase.empty();

	@RegisterExtension
	static final PgqueTestDatabase crashed = PgqueTestDatabase.empty();

	@Test
	void startWithTheEngineUpToDateWritesNothing() throws Exception {
		// a read-only session fails on any write, table lock or DDL
		try (Connection connection = installed.newConnection()) {
			try (Statement statement = connection.createStatement()) {
				statement.execute("SET default_transaction_read_only = on");
			}
			long started = System.nanoTime();
			String applied = new PgqueLiquibaseRunner(new SingleConnectionDataSource(connection, true))
				.update(PgqueChangelogs.ENGINE);
			System.out.printf("Engine up to date: checked in %.1f ms%n", (System.nanoTime() - started) / 1e6);
			assertThat(applied).isNull();
		}
	}

	@Test
	void threeInstancesStartedTogetherOnAnEmptyDatabaseInstallOnce() throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(3);
		CountDownLatch go = new CountDownLatch(1);
		List<Future<String>> results = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			results.add(executor.submit(() -> {
				try (Connection connection = concurrent.newConnection()) {
					go.await();
					return String.valueOf(new PgqueLiquibaseRunner(single(connection)).update(PgqueChangelogs.ENGINE));
				}
			}));
		}
		go.countDown();
		List<String> applied = new ArrayList<>();
		for (Future<String> result : results) {
			applied.add(result.get(2, TimeUnit.MINUTES));
		}
		executor.shutdown();
		assertThat(applied).filteredOn((summary) -> !summary.equals("null")).hasSize(1);
		assertThat(concurrent.jdbc()
			.queryForObject("SELECT count(*) FROM pgque.pgque_databasechangelog WHERE exectype = 'RERAN'",
					Integer.class))
			.isZero();
		assertThat(concurrent.jdbc().queryForObject("SELECT pgque.version()", String.class)).isNotBlank();
	}

	@Test
	void processKilledWhileHoldingTheInstallLockDoesNotBlockTheNextStart() throws Exception {
		new PgqueLiquibaseRunner(crashed.dataSource()).update(PgqueChangelogs.ENGINE);
		// what a process killed mid-install leaves behind: a marker that no longer
		// matches,
		// Liquibase's lock row locked, and (until its session ends) the advisory lock
		crashed.jdbc().update("UPDATE pgque.pgque_engine_marker SET checksum = 'older'");
		Connection killed = crashed.newConnection();
		int killedPid;
		try (Statement statement = killed.createStatement()) {
			statement.execute("SELECT pg_advisory_lock(hashtextextended('pgque-spring-boot engine install', 0))");
			statement.execute("UPDATE pgque.pgque_databasechangeloglock SET locked = true, "
					+ "lockgranted = now(), lockedby = 'killed-host (10.0.0.9)' WHERE id = 1");
			var pid = statement.executeQuery("SELECT pg_backend_pid()");
			pid.next();
			killedPid = pid.getInt(1);
		}
		crashed.jdbc().queryForObject("SELECT pg_terminate_backend(?)", Boolean.class, killedPid);

		long started = System.nanoTime();
		String applied = new PgqueLiquibaseRunner(crashed.dataSource()).update(PgqueChangelogs.ENGINE);
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		System.out.println("Start after a crashed install took " + took.toMillis() + " ms");
		assertThat(applied).isNotNull();
		assertThat(took).isLessThan(Duration.ofSeconds(30));
		assertThat(crashed.jdbc()
			.queryForObject("SELECT locked FROM pgque.pgque_databasechangeloglock WHERE id = 1", Boolean.class))
			.isFalse();
	}

	private static DataSource single(Connection connection) {
		return new SingleConnectionDataSource(connection, true);
	}

}
