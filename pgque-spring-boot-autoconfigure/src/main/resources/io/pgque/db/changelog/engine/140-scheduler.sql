--liquibase formatted sql

-- The in-database scheduler (contract §6 "Scheduler", extended contract §D): pg_cron or
-- pg_timetable jobs that tick and maintain the engine without any application. Neither
-- extension is needed to install these functions; each one says what is missing when
-- called without it. The job ids and the scheduler in use are recorded in pgque.config,
-- which is what the starter's ticker reads to stay off when the database ticks itself.

--changeset pgque:set_tick_period_ms runOnChange:true splitStatements:false stripComments:false
-- How often ticker_loop() ticks within its one-second run; read at its next call.
CREATE OR REPLACE FUNCTION pgque.set_tick_period_ms(p_period_ms integer)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF p_period_ms IS NULL OR p_period_ms < 1 OR p_period_ms > 1000 OR 1000 % p_period_ms <> 0 THEN
		RAISE EXCEPTION 'tick_period_ms must be an exact divisor of 1000 between 1 and 1000 (got %)',
			coalesce(p_period_ms::text, 'NULL');
	END IF;
	UPDATE pgque.config SET tick_period_ms = p_period_ms;
	RETURN p_period_ms;
END;
$$;

--changeset pgque:ticker_loop runOnChange:true splitStatements:false stripComments:false
-- One second of ticking for a scheduler that fires at most once a second: ticker()
-- every tick_period_ms, each in its own transaction (a tick must not share one with the
-- sends it should cover). A procedure that COMMITs may carry no SET clause, so it runs
-- with the caller's rights and qualifies every name itself.
CREATE OR REPLACE PROCEDURE pgque.ticker_loop()
LANGUAGE plpgsql AS $$
DECLARE
	v_period int;
	v_iterations int;
	v_started timestamptz := pg_catalog.clock_timestamp();
BEGIN
	SELECT c.tick_period_ms INTO v_period FROM pgque.config c;
	v_period := CASE WHEN v_period IS NULL OR v_period < 1 THEN 100 WHEN v_period > 1000 THEN 1000 ELSE v_period END;
	v_iterations := GREATEST(1, 1000 / v_period);
	FOR v_i IN 1..v_iterations LOOP
		-- Due delayed events first, committed, so this tick carries them.
		PERFORM pgque.maint_deliver_delayed();
		COMMIT;
		PERFORM pgque.ticker();
		COMMIT;
		EXIT WHEN v_i = v_iterations
			OR pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - v_started) * 1000 + v_period >= 1000;
		PERFORM pg_catalog.pg_sleep(v_period / 1000.0);
	END LOOP;
END;
$$;

--changeset pgque:_timetable_distrust runOnChange:true splitStatements:false stripComments:false
-- Why pg_timetable may not be used (NULL when it may): its jobs run SQL, so its schema
-- and API must belong to us or to a superuser, never to a role that could swap them.
-- Owner only. Raises when the schema or API is absent.
CREATE OR REPLACE FUNCTION pgque._timetable_distrust()
RETURNS text LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_schema oid;
	v_schema_owner oid;
	v_api record;
BEGIN
	SELECT n.oid, n.nspowner INTO v_schema, v_schema_owner FROM pg_catalog.pg_namespace n WHERE n.nspname = 'timetable';
	IF v_schema_owner IS NULL
			OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p WHERE p.pronamespace = v_schema
				AND p.proname = 'add_job' AND p.pronargs IN (11, 12))
			OR pg_catalog.to_regprocedure('timetable.delete_job(text)') IS NULL THEN
		RAISE EXCEPTION 'pg_timetable schema/API is not installed. PgQue itself works without it, but '
			'pgque.start_timetable() schedules pg_timetable jobs: install pg_timetable first, or run '
			'pgque.ticker() and pgque.maint() another way';
	END IF;
	IF v_schema_owner <> (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
			AND NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE oid = v_schema_owner) THEN
		RETURN 'untrusted pg_timetable schema owner: ' || v_schema_owner::regrole::text;
	END IF;
	FOR v_api IN SELECT p.oid::regprocedure AS signature, p.proowner FROM pg_catalog.pg_proc p
			WHERE p.pronamespace = v_schema AND p.proname IN ('add_job', 'delete_job')
			ORDER BY p.proname DESC LOOP
		IF v_api.proowner <> v_schema_owner THEN
			RETURN 'untrusted pg_timetable API owner: ' || v_api.signature::text || ' belongs to '
				|| v_api.proowner::regrole::text;
		END IF;
	END LOOP;
	RETURN NULL;
END;
$$;

--changeset pgque:stop_timetable runOnChange:true splitStatements:false stripComments:false
-- Removes PgQue's pg_timetable jobs by name (a missing one is fine) and clears the
-- config where pg_timetable is the scheduler. An untrusted pg_timetable is left alone,
-- and is an error only when it is the scheduler we recorded.
CREATE OR REPLACE FUNCTION pgque.stop_timetable()
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_distrust text;
	v_job text;
BEGIN
	IF pg_catalog.to_regprocedure('timetable.delete_job(text)') IS NOT NULL THEN
		v_distrust := pgque._timetable_distrust();
		IF v_distrust IS NOT NULL THEN
			IF EXISTS (SELECT 1 FROM pgque.config WHERE scheduler = 'pg_timetable') THEN
				RAISE EXCEPTION '%', v_distrust;
			END IF;
			RETURN;
		END IF;
		FOREACH v_job IN ARRAY ARRAY['pgque_ticker', 'pgque_retry_events', 'pgque_maint', 'pgque_rotate_step2'] LOOP
			EXECUTE 'SELECT timetable.delete_job($1)' USING v_job;
		END LOOP;
	END IF;
	UPDATE pgque.config SET ticker_job_id = NULL, maint_job_id = NULL, scheduler = NULL
	WHERE scheduler = 'pg_timetable';
END;
$$;

--changeset pgque:stop runOnChange:true splitStatements:false stripComments:false
-- Removes PgQue's pg_cron jobs (or delegates to stop_timetable() when pg_timetable is
-- the scheduler) and clears the config. Every job is removed on its own, and one that
-- is gone already (even a recorded id someone deleted by hand) only gives a NOTICE, so
-- stop() is always safe to repeat. Without pg_cron it only clears the config.
CREATE OR REPLACE FUNCTION pgque.stop()
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_config pgque.config%ROWTYPE;
	v_job text;
BEGIN
	SELECT * INTO v_config FROM pgque.config;
	IF v_config.scheduler = 'pg_timetable' THEN
		PERFORM pgque.stop_timetable();
		RETURN;
	END IF;
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
		FOREACH v_job IN ARRAY ARRAY[v_config.ticker_job_id::text, v_config.maint_job_id::text] LOOP
			CONTINUE WHEN v_job IS NULL;
			BEGIN
				EXECUTE 'SELECT cron.unschedule($1::bigint)' USING v_job;
			EXCEPTION WHEN OTHERS THEN
				RAISE NOTICE 'pgque: pg_cron job % already gone (%)', v_job, SQLERRM;
			END;
		END LOOP;
		FOREACH v_job IN ARRAY ARRAY['pgque_ticker', 'pgque_retry_events', 'pgque_maint', 'pgque_rotate_step2'] LOOP
			BEGIN
				EXECUTE 'SELECT cron.unschedule($1::text)' USING v_job;
			EXCEPTION WHEN OTHERS THEN
				RAISE NOTICE 'pgque: pg_cron job % not scheduled (%)', v_job, SQLERRM;
			END;
		END LOOP;
	END IF;
	UPDATE pgque.config SET ticker_job_id = NULL, maint_job_id = NULL, scheduler = NULL
	WHERE scheduler IS NULL OR scheduler = 'pg_cron';
END;
$$;

--changeset pgque:start runOnChange:true splitStatements:false stripComments:false
-- Schedules the four pg_cron jobs in this database, replacing any earlier ones (of
-- either scheduler). Retries are moved until none is due, not ten per run.
CREATE OR REPLACE FUNCTION pgque.start()
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_ticker bigint;
	v_maint bigint;
	v_database text := pg_catalog.current_database();
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
		RAISE EXCEPTION 'pg_cron extension is not installed. PgQue itself works without pg_cron, but '
			'pgque.start() schedules cron jobs. Install pg_cron first, or run pgque.ticker() and '
			'pgque.maint() manually.';
	END IF;
	PERFORM pgque.stop_timetable();
	PERFORM pgque.stop();
	EXECUTE 'SELECT cron.schedule_in_database($1, $2, $3, $4)'
		INTO v_ticker USING 'pgque_ticker', '1 second', 'CALL pgque.ticker_loop()', v_database;
	EXECUTE 'SELECT cron.schedule_in_database($1, $2, $3, $4)'
		USING 'pgque_retry_events', '30 seconds',
			'SET statement_timeout = ''25s''; DO $r$ BEGIN WHILE pgque.maint_retry_events() > 0 LOOP END LOOP; END $r$',
			v_database;
	EXECUTE 'SELECT cron.schedule_in_database($1, $2, $3, $4)'
		INTO v_maint USING 'pgque_maint', '30 seconds', 'SET statement_timeout = ''25s''; SELECT pgque.maint()',
			v_database;
	EXECUTE 'SELECT cron.schedule_in_database($1, $2, $3, $4)'
		USING 'pgque_rotate_step2', '10 seconds', 'SELECT pgque.maint_rotate_tables_step2()', v_database;
	UPDATE pgque.config SET ticker_job_id = v_ticker, maint_job_id = v_maint, scheduler = 'pg_cron';
	RAISE NOTICE 'pgque: pg_cron jobs scheduled in database % (ticker job %, maint job %)', v_database, v_ticker,
		v_maint;
END;
$$;

--changeset pgque:start_timetable runOnChange:true splitStatements:false stripComments:false
-- The same four jobs through pg_timetable, ticking i_ticks_per_second times a second.
-- The API is checked before the rate, so a missing pg_timetable is the error reported.
CREATE OR REPLACE FUNCTION pgque.start_timetable(i_ticks_per_second integer DEFAULT 10)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_distrust text := pgque._timetable_distrust();
	v_ticker bigint;
	v_maint bigint;
	v_add constant text := 'SELECT timetable.add_job(job_name => $1, job_schedule => $2::timetable.cron, job_command => $3, '
		'job_kind => ''SQL'', job_max_instances => 1, job_ignore_errors => false)';
BEGIN
	IF v_distrust IS NOT NULL THEN
		RAISE EXCEPTION '%', v_distrust;
	END IF;
	IF i_ticks_per_second IS NULL OR i_ticks_per_second < 1 OR i_ticks_per_second > 1000
			OR 1000 % i_ticks_per_second <> 0 THEN
		RAISE EXCEPTION 'ticks_per_second must be an exact divisor of 1000 between 1 and 1000 (got %)',
			coalesce(i_ticks_per_second::text, 'NULL');
	END IF;
	PERFORM pgque.set_tick_period_ms(1000 / i_ticks_per_second);
	PERFORM pgque.stop_timetable();
	PERFORM pgque.stop();
	EXECUTE v_add INTO v_ticker USING 'pgque_ticker', '@every 1 second', 'CALL pgque.ticker_loop()';
	EXECUTE v_add USING 'pgque_retry_events', '@every 30 seconds', 'select pgque.maint_retry_events()';
	EXECUTE v_add INTO v_maint USING 'pgque_maint', '@every 30 seconds', 'select pgque.maint()';
	EXECUTE v_add USING 'pgque_rotate_step2', '@every 10 seconds', 'select pgque.maint_rotate_tables_step2()';
	UPDATE pgque.config SET ticker_job_id = v_ticker, maint_job_id = v_maint, scheduler = 'pg_timetable';
	RAISE NOTICE 'pgque: pg_timetable jobs added (ticker job %, maint job %)', v_ticker, v_maint;
END;
$$;
