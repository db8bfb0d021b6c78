package io.pgque.spring.ticker;

/**
 * Who calls the engine's ticker and maintenance functions.
 *
 * @author pgque-spring-boot authors
 */
public enum PgqueTickerMode {

	/**
	 * pg_cron (or pg_timetable) when PgQue's jobs are scheduled in the database by an
	 * install that has {@code pgque.start()}, the embedded ticker otherwise. Decided once
	 * at start-up.
	 */
	AUTO,

	/**
	 * The embedded ticker: one leader-elected application instance per database ticks.
	 */
	EMBEDDED,

	/**
	 * pg_cron ticks. At start-up the application checks that pg_cron is installed and
	 * schedules PgQue's jobs with {@code pgque.start()} when nobody has yet; without
	 * pg_cron it fails.
	 */
	PG_CRON,

	/**
	 * The application runs no ticker and sends no ticker queries; something else (an
	 * external scheduler, pgqd, a script) must tick.
	 */
	NONE

}
