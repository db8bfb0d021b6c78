package io.pgque.spring.engine.api;

import io.pgque.spring.test.PgqueTestDatabase;
import io.pgque.spring.ticker.PgqueTicker;
import io.pgque.spring.ticker.PgqueTickerException;
import io.pgque.spring.ticker.PgqueTickerMode;
import io.pgque.spring.ticker.PgqueTickerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The embedded ticker's start-up decision against what the engine's scheduler functions
 * record. pg_timetable jobs scheduled with start_timetable() (through the test's fake
 * timetable API) keep {@code auto} off. pg_cron cannot be installed in the embedded
 * PostgreSQL, so its branch is proven only as far as: without the extension, recorded
 * pg_cron ids do not count and {@code pg-cron} mode fails before changing anything.
 */
class SchedulerTickerModeIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	@AfterEach
	void clearScheduler() {
		db.jdbc().execute("DROP SCHEMA IF EXISTS timetable CASCADE");
		db.jdbc().execute("UPDATE pgque.config SET ticker_job_id = NULL, maint_job_id = NULL, scheduler = NULL");
	}

	@Test
	void autoStaysOffWhenStartTimetableScheduledTheJobs() {
		SchedulerIntegrationTests.createFakeTimetable(db.jdbc());
		db.jdbc().execute("SELECT pgque.start_timetable(10)");
		assertThat(startAndStop(PgqueTickerMode.AUTO)).isEqualTo(PgqueTickerMode.NONE);
	}

	@Test
	void autoTicksItselfWhenNothingIsScheduled() {
		db.jdbc().execute("SELECT pgque.stop()");
		assertThat(startAndStop(PgqueTickerMode.AUTO)).isEqualTo(PgqueTickerMode.EMBEDDED);
	}

	@Test
	void autoIgnoresPgCronIdsWithoutTheExtension() {
		// e.g. a database restored on a server without pg_cron: nothing runs those jobs
		db.jdbc().execute("UPDATE pgque.config SET ticker_job_id = 7, maint_job_id = 8, scheduler = 'pg_cron'");
		assertThat(startAndStop(PgqueTickerMode.AUTO)).isEqualTo(PgqueTickerMode.EMBEDDED);
	}

	@Test
	void pgCronModeWithoutTheExtensionFailsAndSchedulesNothing() {
		PgqueTicker ticker = new PgqueTicker(db.dataSource(), PgqueTickerMode.PG_CRON, PgqueTickerOptions.defaults());
		assertThatExceptionOfType(PgqueTickerException.class).isThrownBy(ticker::start)
			.withMessageContaining("pg_cron extension is not installed");
		assertThat(db.jdbc().queryForObject("SELECT scheduler FROM pgque.config", String.class)).isNull();
	}

	private PgqueTickerMode startAndStop(PgqueTickerMode mode) {
		PgqueTicker ticker = new PgqueTicker(db.dataSource(), mode, PgqueTickerOptions.defaults());
		ticker.start();
		try {
			return ticker.getEffectiveMode();
		}
		finally {
			ticker.stop();
		}
	}

}
