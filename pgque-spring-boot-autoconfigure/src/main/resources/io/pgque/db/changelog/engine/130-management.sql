--liquibase formatted sql

-- Queue settings, status, version and uninstall.

--changeset pgque:set_queue_config runOnChange:true splitStatements:false stripComments:false
-- The parameter is named without the queue_ prefix (with it is accepted too). The value
-- is cast to the column's type first, so a bad value fails with the cast error, then
-- range-checked with a message naming the parameter. NULL restores the column default.
CREATE OR REPLACE FUNCTION pgque.set_queue_config(x_queue_name text, x_param_name text, x_param_value text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_queue_id int4;
	v_param text;
	v_type text;
BEGIN
	IF x_queue_name IS NULL THEN
		RAISE EXCEPTION 'queue name must not be null';
	END IF;
	IF x_param_name IS NULL THEN
		RAISE EXCEPTION 'parameter name must not be null';
	END IF;
	v_param := CASE WHEN pg_catalog.left(x_param_name, 6) = 'queue_'
		THEN pg_catalog.substr(x_param_name, 7) ELSE x_param_name END;
	v_type := CASE v_param
		WHEN 'ticker_max_count' THEN 'int4'
		WHEN 'max_retries' THEN 'int4'
		WHEN 'ticker_max_lag' THEN 'interval'
		WHEN 'ticker_idle_period' THEN 'interval'
		WHEN 'rotation_period' THEN 'interval'
		WHEN 'ticker_paused' THEN 'bool'
		WHEN 'external_ticker' THEN 'bool'
	END;
	IF v_type IS NULL THEN
		RAISE EXCEPTION 'unknown queue parameter: %', x_param_name
			USING HINT = 'allowed: ticker_max_count, ticker_max_lag, ticker_idle_period, ticker_paused, '
				|| 'rotation_period, external_ticker, max_retries';
	END IF;

	SELECT queue_id INTO v_queue_id FROM pgque.queue WHERE queue_name = x_queue_name FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'No such event queue: %', x_queue_name;
	END IF;

	IF x_param_value IS NULL THEN
		EXECUTE pg_catalog.format('UPDATE pgque.queue SET %I = DEFAULT WHERE queue_id = $1', 'queue_' || v_param)
			USING v_queue_id;
		RETURN 1;
	END IF;

	IF v_param = 'max_retries' AND x_param_value::int4 < 0 THEN
		RAISE EXCEPTION 'max_retries must be >= 0, got %', x_param_value;
	ELSIF v_param = 'ticker_max_count' AND x_param_value::int4 <= 0 THEN
		RAISE EXCEPTION 'ticker_max_count must be > 0, got %', x_param_value;
	ELSIF v_type = 'interval' AND x_param_value::interval <= interval '0' THEN
		RAISE EXCEPTION '% must be > 0, got %', v_param, x_param_value;
	END IF;
	EXECUTE pg_catalog.format('UPDATE pgque.queue SET %I = $1::%s WHERE queue_id = $2', 'queue_' || v_param, v_type)
		USING x_param_value, v_queue_id;
	RETURN 1;
END;
$$;

--changeset pgque:version runOnChange:true splitStatements:false stripComments:false
-- The PgQue API level this engine implements (clients compare it exactly).
CREATE OR REPLACE FUNCTION pgque.version()
RETURNS text LANGUAGE sql IMMUTABLE SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT '0.2.0'::text
$$;

--changeset pgque:status runOnChange:true splitStatements:false stripComments:false
-- One row per component, in a fixed order. The pg_cron and pg_timetable rows appear
-- only when the scheduler is absent, to say how to tick without it.
CREATE OR REPLACE FUNCTION pgque.status()
RETURNS TABLE (component text, status text, detail text) LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_config pgque.config%ROWTYPE;
BEGIN
	SELECT * INTO v_config FROM pgque.config;
	RETURN QUERY VALUES ('postgresql', 'info', pg_catalog.version());
	RETURN QUERY VALUES ('pgque', 'info', pgque.version());
	RETURN QUERY VALUES ('scheduler', coalesce(v_config.scheduler, 'manual'),
		CASE WHEN v_config.scheduler IS NULL THEN 'no scheduler jobs; something must call pgque.ticker()'
			ELSE 'jobs run by ' || v_config.scheduler END);
	RETURN QUERY VALUES ('ticker', CASE WHEN v_config.ticker_job_id IS NULL THEN 'stopped' ELSE 'scheduled' END,
		CASE WHEN v_config.ticker_job_id IS NULL THEN NULL ELSE 'job ' || v_config.ticker_job_id END);
	RETURN QUERY VALUES ('maintenance', CASE WHEN v_config.maint_job_id IS NULL THEN 'stopped' ELSE 'scheduled' END,
		CASE WHEN v_config.maint_job_id IS NULL THEN NULL ELSE 'job ' || v_config.maint_job_id END);
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
		RETURN QUERY VALUES ('pg_cron', 'unavailable',
			'pg_cron is not installed; call pgque.ticker() about every second and pgque.maint() '
			'every 30 seconds from another scheduler');
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'timetable') THEN
		RETURN QUERY VALUES ('pg_timetable', 'unavailable', 'no timetable schema in this database');
	END IF;
	RETURN QUERY SELECT 'queues', 'info', pg_catalog.count(*)::text FROM pgque.queue;
	RETURN QUERY SELECT 'consumers', 'info', pg_catalog.count(*)::text FROM pgque.consumer;
END;
$$;

--changeset pgque:uninstall runOnChange:true splitStatements:false stripComments:false
-- Removes the engine from this database: scheduler jobs first (when a scheduler and our
-- stop functions exist), then the whole schema, changelog tables included. The roles
-- stay: they are cluster-wide and other databases may use them. Owner only.
CREATE OR REPLACE FUNCTION pgque.uninstall()
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron')
			AND pg_catalog.to_regprocedure('pgque.stop()') IS NOT NULL THEN
		EXECUTE 'SELECT pgque.stop()';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'timetable')
			AND pg_catalog.to_regprocedure('pgque.stop_timetable()') IS NOT NULL THEN
		EXECUTE 'SELECT pgque.stop_timetable()';
	END IF;
	DROP SCHEMA pgque CASCADE;
END;
$$;
