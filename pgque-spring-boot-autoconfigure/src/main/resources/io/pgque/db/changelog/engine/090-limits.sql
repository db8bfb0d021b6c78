--liquibase formatted sql

-- Limits on what a writer may publish (docs/security.md, "Limits"): the largest payload
-- and the longest type name, in bytes, for the whole install.

--changeset pgque:limits runOnChange:true splitStatements:false stripComments:false
-- Where the limits live: two IMMUTABLE SQL functions returning a constant, which
-- set_limits regenerates. Checking then costs nothing per event: PostgreSQL inlines the
-- constant into each cached plan and replans when the function is replaced (reading a
-- settings table in the send path cost about 13 us per event, a third of a send).
-- Created only when missing, so an upgrade keeps the values set.
DO $$
BEGIN
	IF pg_catalog.to_regprocedure('pgque.max_payload_bytes()') IS NULL THEN
		CREATE FUNCTION pgque.max_payload_bytes() RETURNS integer
		LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT 1048576';
	END IF;
	IF pg_catalog.to_regprocedure('pgque.max_type_bytes()') IS NULL THEN
		CREATE FUNCTION pgque.max_type_bytes() RETURNS integer
		LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT 255';
	END IF;
END
$$;

--changeset pgque:set_limits runOnChange:true splitStatements:false stripComments:false
-- NULL leaves a limit as it is. The config row lock makes concurrent callers (instances
-- starting together) take turns, and a function is replaced only when its value
-- changes, so applications applying their limits at every start rewrite nothing.
CREATE OR REPLACE FUNCTION pgque.set_limits(max_payload_bytes integer, max_type_bytes integer)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF $1 < 1 THEN
		RAISE EXCEPTION 'max_payload_bytes must be at least 1, was %', $1;
	END IF;
	IF $2 < 1 THEN
		RAISE EXCEPTION 'max_type_bytes must be at least 1, was %', $2;
	END IF;
	PERFORM 1 FROM pgque.config FOR UPDATE;
	IF $1 IS DISTINCT FROM pgque.max_payload_bytes() AND $1 IS NOT NULL THEN
		EXECUTE pg_catalog.format('CREATE OR REPLACE FUNCTION pgque.max_payload_bytes() RETURNS integer'
			' LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L', 'SELECT ' || $1);
	END IF;
	IF $2 IS DISTINCT FROM pgque.max_type_bytes() AND $2 IS NOT NULL THEN
		EXECUTE pg_catalog.format('CREATE OR REPLACE FUNCTION pgque.max_type_bytes() RETURNS integer'
			' LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L', 'SELECT ' || $2);
	END IF;
END;
$$;

--changeset pgque:refuse_over_limit runOnChange:true splitStatements:false stripComments:false
-- Raises the error every insert path gives for an event over a limit, naming the limit,
-- its value and where to change it. Called only once a check has failed.
CREATE OR REPLACE FUNCTION pgque.refuse_over_limit(i_queue_name text, i_what text, i_bytes bigint, i_limit text,
		i_max integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'event refused on queue %: % is % bytes, over the limit % = % bytes', i_queue_name, i_what,
		i_bytes, i_limit, i_max
		USING HINT = 'pgque.set_limits(max_payload_bytes, max_type_bytes) changes the limits.';
END;
$$;
