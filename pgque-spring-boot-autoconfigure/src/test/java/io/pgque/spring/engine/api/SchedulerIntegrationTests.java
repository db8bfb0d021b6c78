package io.pgque.spring.engine.api;

import java.util.Map;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;

import static io.pgque.spring.engine.api.SqlErrors.raised;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduler functions (extended contract §D) on a server without pg_cron, which is
 * what the embedded PostgreSQL is: start() explains itself, stop() is a no-op,
 * ticker_loop and set_tick_period_ms work alone. pg_timetable is faked the way the
 * contract's own test does it (a {@code timetable} schema with add_job/delete_job that
 * record rows), which proves our calls and bookkeeping but not pg_timetable's runner.
 */
class SchedulerIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final JdbcTemplate jdbc = db.jdbc();

	@AfterEach
	void removeFakeTimetable() {
		this.jdbc.execute("DROP SCHEMA IF EXISTS timetable CASCADE");
		this.jdbc.execute("UPDATE pgque.config SET ticker_job_id = NULL, maint_job_id = NULL, scheduler = NULL,"
				+ " tick_period_ms = DEFAULT");
	}

	@Test
	void startWithoutPgCronRaisesTheManualModeMessageAndChangesNothing() {
		Map<String, Object> before = config();
		String message = raised(() -> this.jdbc.execute("SELECT pgque.start()"));
		assertThat(message).contains("pg_cron").contains("PgQue itself works without pg_cron");
		assertThat(config()).isEqualTo(before);
	}

	@Test
	void stopWithNothingScheduledIsANoOpAndRepeatable() {
		this.jdbc.execute("SELECT pgque.stop()");
		this.jdbc.execute("SELECT pgque.stop()");
		assertThat(config()).containsEntry("ticker_job_id", null)
			.containsEntry("maint_job_id", null)
			.containsEntry("scheduler", null);
	}

	@Test
	void tickPeriodAcceptsOnlyDivisorsOfOneSecond() {
		assertThat(config()).containsEntry("tick_period_ms", 100);
		assertThat(this.jdbc.queryForObject("SELECT pgque.set_tick_period_ms(250)", Integer.class)).isEqualTo(250);
		assertThat(config()).containsEntry("tick_period_ms", 250);
		for (String bad : new String[] { "0", "1001", "NULL", "251", "750" }) {
			assertThat(raised(() -> this.jdbc.execute("SELECT pgque.set_tick_period_ms(" + bad + ")")))
				.contains("tick_period_ms must be an exact divisor of 1000")
				.contains("(got " + bad + ")");
		}
		assertThat(config()).containsEntry("tick_period_ms", 250);
	}

	@Test
	void tickerLoopTicksEveryPeriodForOneSecond() {
		new ApiSql(this.jdbc).createQueue("loop");
		this.jdbc.execute("SELECT pgque.set_queue_config('loop', 'ticker_max_lag', '1 millisecond')");
		this.jdbc.execute("SELECT pgque.set_queue_config('loop', 'ticker_idle_period', '1 millisecond')");
		this.jdbc.execute("SELECT pgque.set_tick_period_ms(200)");
		long before = ticks("loop");
		this.jdbc.execute("CALL pgque.ticker_loop()");
		assertThat(ticks("loop") - before).isGreaterThanOrEqualTo(2);

		this.jdbc.execute("SELECT pgque.set_tick_period_ms(1000)");
		before = ticks("loop");
		this.jdbc.execute("CALL pgque.ticker_loop()");
		assertThat(ticks("loop") - before).isEqualTo(1);
	}

	@Test
	void startTimetableWithoutPgTimetableSaysSoBeforeCheckingTheRate() {
		assertThat(raised(() -> this.jdbc.execute("SELECT pgque.start_timetable(7)"))).contains("pg_timetable")
			.contains("not installed");
		assertThat(config()).containsEntry("scheduler", null);
	}

	@Test
	void startTimetableRefusesASchemaOwnedByAnotherPlainRole() {
		createFakeTimetable();
		this.jdbc.execute("DO $$ BEGIN IF to_regrole('pgque_t_timetable_owner') IS NULL THEN "
				+ "CREATE ROLE pgque_t_timetable_owner NOLOGIN; END IF; END $$");
		this.jdbc.execute("ALTER SCHEMA timetable OWNER TO pgque_t_timetable_owner");
		assertThat(raised(() -> this.jdbc.execute("SELECT pgque.start_timetable()")))
			.contains("untrusted pg_timetable schema owner");
		// not the recorded scheduler: stop() and stop_timetable() leave it alone quietly
		this.jdbc.execute("SELECT pgque.stop_timetable()");
		this.jdbc.execute("SELECT pgque.stop()");
		this.jdbc.execute("ALTER SCHEMA timetable OWNER TO CURRENT_USER");
	}

	@Test
	void startTimetableSchedulesFourJobsOnceAndStopRemovesThem() {
		createFakeTimetable();
		for (String bad : new String[] { "0", "-1", "7", "1001", "NULL" }) {
			assertThat(raised(() -> this.jdbc.execute("SELECT pgque.start_timetable(" + bad + ")")))
				.contains("ticks_per_second")
				.contains(bad);
		}
		this.jdbc.execute("SELECT pgque.start_timetable(10)");
		this.jdbc.execute("SELECT pgque.start_timetable(10)");
		assertThat(config()).containsEntry("scheduler", "pg_timetable").containsEntry("tick_period_ms", 100);
		assertThat(config().get("ticker_job_id")).isNotNull();
		assertThat(config().get("maint_job_id")).isNotNull();
		assertThat(this.jdbc.queryForList("SELECT job_name FROM timetable.job ORDER BY job_name", String.class))
			.containsExactly("pgque_maint", "pgque_retry_events", "pgque_rotate_step2", "pgque_ticker");
		assertThat(this.jdbc.queryForObject("SELECT job_command FROM timetable.job WHERE job_name = 'pgque_ticker'",
				String.class))
			.isEqualTo("CALL pgque.ticker_loop()");
		assertThat(this.jdbc.queryForObject("SELECT status FROM pgque.status() WHERE component = 'scheduler'",
				String.class))
			.isEqualTo("pg_timetable");

		this.jdbc.execute("SELECT pgque.stop()");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM timetable.job", Integer.class)).isZero();
		assertThat(config()).containsEntry("ticker_job_id", null).containsEntry("scheduler", null);
		this.jdbc.execute("SELECT pgque.stop()");
	}

	@Test
	void startWithoutPgCronAfterPgTimetableKeepsTheTimetableJobs() {
		createFakeTimetable();
		this.jdbc.execute("SELECT pgque.start_timetable(10)");
		raised(() -> this.jdbc.execute("SELECT pgque.start()"));
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM timetable.job", Integer.class)).isEqualTo(4);
		assertThat(config()).containsEntry("scheduler", "pg_timetable");
	}

	/**
	 * A stand-in for pg_timetable's API: the two functions the engine calls, with
	 * pg_timetable's argument names and types, recording jobs in a table.
	 */
	static void createFakeTimetable(JdbcTemplate jdbc) {
		jdbc.execute("CREATE SCHEMA timetable");
		jdbc.execute("CREATE DOMAIN timetable.cron AS text");
		jdbc.execute("CREATE TYPE timetable.command_kind AS ENUM ('SQL', 'PROGRAM', 'BUILTIN')");
		jdbc.execute("CREATE TABLE timetable.job (job_id bigserial PRIMARY KEY, job_name text UNIQUE,"
				+ " job_schedule timetable.cron, job_command text, job_kind timetable.command_kind,"
				+ " job_max_instances int, job_ignore_errors boolean)");
		jdbc.execute("""
				CREATE FUNCTION timetable.add_job(job_name text, job_schedule timetable.cron, job_command text,
					job_parameters jsonb DEFAULT NULL, job_kind timetable.command_kind DEFAULT 'SQL',
					job_client_name text DEFAULT NULL, job_max_instances integer DEFAULT NULL,
					job_live boolean DEFAULT true, job_self_destruct boolean DEFAULT false,
					job_ignore_errors boolean DEFAULT true, job_exclusive boolean DEFAULT false,
					job_on_error text DEFAULT NULL)
				RETURNS bigint LANGUAGE sql AS $$
					INSERT INTO timetable.job (job_name, job_schedule, job_command, job_kind, job_max_instances,
						job_ignore_errors)
					VALUES ($1, $2, $3, $5, $7, $10) RETURNING job_id
				$$""");
		jdbc.execute("""
				CREATE FUNCTION timetable.delete_job(job_name text) RETURNS boolean LANGUAGE sql AS $$
					WITH gone AS (DELETE FROM timetable.job j WHERE j.job_name = $1 RETURNING 1)
					SELECT count(*) > 0 FROM gone
				$$""");
	}

	private void createFakeTimetable() {
		createFakeTimetable(this.jdbc);
	}

	private Map<String, Object> config() {
		return this.jdbc.queryForMap("SELECT ticker_job_id, maint_job_id, scheduler, tick_period_ms FROM pgque.config");
	}

	private long ticks(String queue) {
		return this.jdbc.queryForObject("SELECT count(*) FROM pgque.tick t JOIN pgque.queue q ON q.queue_id ="
				+ " t.tick_queue WHERE q.queue_name = ?", Long.class, queue);
	}

}
