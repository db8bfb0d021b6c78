package io.pgque.spring.autoconfigure;

import java.time.Duration;

import io.pgque.spring.test.PgqueTestDatabase;
import io.pgque.spring.ticker.PgqueTicker;
import io.pgque.spring.ticker.PgqueTickerException;
import io.pgque.spring.ticker.PgqueTickerMode;
import io.pgque.spring.ticker.PgqueTickerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PgqueTickerAutoConfigurationIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgqueAutoConfiguration.class,
				PgqueTickerAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=" + db.jdbcUrl(), "spring.datasource.username=" + db.user(),
				"spring.datasource.password=" + db.password(), "pgque.schema.mode=none");

	@Test
	void runWhenModeIsAutoWithoutPgCronShouldRunTheEmbeddedTicker() {
		this.contextRunner.run((context) -> {
			PgqueTicker ticker = context.getBean(PgqueTicker.class);
			assertThat(ticker.getEffectiveMode()).isEqualTo(PgqueTickerMode.EMBEDDED);
			assertThat(ticker.isRunning()).isTrue();
			await().atMost(Duration.ofSeconds(5)).until(ticker::isLeader);
		});
	}

	@Test
	void runWhenModeIsAutoAndPgTimetableTicksShouldStayOff() {
		scheduledBy("pg_timetable");
		try {
			this.contextRunner.run((context) -> {
				PgqueTicker ticker = context.getBean(PgqueTicker.class);
				assertThat(ticker.getEffectiveMode()).isEqualTo(PgqueTickerMode.NONE);
				Thread.sleep(300);
				assertThat(ticker.isLeader()).isFalse();
				assertThat(leaderLocks()).isZero();
			});
		}
		finally {
			scheduledBy(null);
		}
	}

	@Test
	void runWhenModeIsAutoAndPgCronJobsAreRecordedWithoutTheExtensionShouldTickEmbedded() {
		scheduledBy("pg_cron");
		try {
			this.contextRunner.run((context) -> assertThat(context.getBean(PgqueTicker.class).getEffectiveMode())
				.isEqualTo(PgqueTickerMode.EMBEDDED));
		}
		finally {
			scheduledBy(null);
		}
	}

	@Test
	void runWhenPropertiesAreSetShouldUseThem() {
		this.contextRunner
			.withPropertyValues("pgque.ticker.mode=embedded", "pgque.ticker.tick-period=20ms",
					"pgque.ticker.retry-period=500ms", "pgque.ticker.maintenance-period=1m",
					"pgque.ticker.takeover-interval=3s", "pgque.ticker.query-timeout=5s", "pgque.ticker.max-backoff=1s")
			.run((context) -> {
				PgqueTicker ticker = context.getBean(PgqueTicker.class);
				assertThat(ticker.getOptions().tickPeriod()).isEqualTo(Duration.ofMillis(20));
				assertThat(ticker.getOptions().retryPeriod()).isEqualTo(Duration.ofMillis(500));
				assertThat(ticker.getOptions().maintenancePeriod()).isEqualTo(Duration.ofMinutes(1));
				assertThat(ticker.getOptions().takeoverInterval()).isEqualTo(Duration.ofSeconds(3));
				assertThat(ticker.getOptions().queryTimeout()).isEqualTo(Duration.ofSeconds(5));
				assertThat(ticker.getOptions().maxBackoff()).isEqualTo(Duration.ofSeconds(1));
				assertThat(ticker.getEffectiveMode()).isEqualTo(PgqueTickerMode.EMBEDDED);
			});
	}

	@Test
	void runWhenModeIsNoneShouldCreateNoTickerAndTickNothing() {
		db.jdbc().queryForObject("SELECT pgque.create_queue('untouched')", Integer.class);
		db.jdbc().update("UPDATE pgque.queue SET queue_ticker_max_count = 1 WHERE queue_name = 'untouched'");
		long tickerThreadsBefore = tickerThreads();
		this.contextRunner.withPropertyValues("pgque.ticker.mode=none").run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(PgqueTicker.class);
			long ticks = ticks("untouched");
			db.jdbc().queryForObject("SELECT pgque.insert_event('untouched', 'default', 'x')", Long.class);
			db.jdbc().queryForObject("SELECT pgque.insert_event('untouched', 'default', 'y')", Long.class);
			Thread.sleep(500);
			assertThat(ticks("untouched")).isEqualTo(ticks);
			assertThat(tickerThreads()).isEqualTo(tickerThreadsBefore);
			assertThat(leaderLocks()).isZero();
		});
	}

	@Test
	void runWhenModeIsPgCronWithoutPgCronShouldFailWithAClearMessage() {
		this.contextRunner.withPropertyValues("pgque.ticker.mode=pg-cron").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(PgqueTickerException.class)
				.hasMessageContaining("pgque.ticker.mode=pg-cron but the pg_cron extension is not installed")
				.hasMessageContaining(db.name())
				.hasMessageContaining("CREATE EXTENSION pg_cron")
				.hasMessageContaining("set pgque.ticker.mode to auto or embedded");
		});
	}

	@Test
	void runWhenTickPeriodIsZeroShouldFailNamingTheProperty() {
		this.contextRunner.withPropertyValues("pgque.ticker.tick-period=0ms").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("pgque.ticker.tick-period must be positive");
		});
	}

	@Test
	void runWhenUserDefinesATickerShouldBackOff() {
		this.contextRunner
			.withBean("customTicker", PgqueTicker.class,
					() -> new PgqueTicker(db.dataSource(), PgqueTickerMode.NONE, PgqueTickerOptions.defaults()))
			.run((context) -> assertThat(context).getBean(PgqueTicker.class).isSameAs(context.getBean("customTicker")));
	}

	@Test
	void runWithoutDataSourceShouldCreateNoTicker() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(PgqueTickerAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(PgqueTicker.class));
	}

	// what pgque.start() / start_timetable() record
	private static void scheduledBy(String scheduler) {
		db.jdbc()
			.update("UPDATE pgque.config SET scheduler = ?, ticker_job_id = ?", scheduler,
					(scheduler != null) ? 42L : null);
	}

	private static long ticks(String queue) {
		Long count = db.jdbc()
			.queryForObject("SELECT count(*) FROM pgque.tick t JOIN pgque.queue q ON q.queue_id = t.tick_queue "
					+ "WHERE q.queue_name = ?", Long.class, queue);
		return (count != null) ? count : 0;
	}

	private static long tickerThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().startsWith("pgque-ticker"))
			.count();
	}

	private static int leaderLocks() {
		Integer count = db.jdbc()
			.queryForObject("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = " + 0x70677175
					+ " AND objid = 1 AND granted", Integer.class);
		return (count != null) ? count : 0;
	}

}
