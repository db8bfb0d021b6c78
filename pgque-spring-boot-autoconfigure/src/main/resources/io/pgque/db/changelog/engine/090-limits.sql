--liquibase formatted sql

-- Limits on what a writer may publish (docs/security.md, "Limits"): the largest payload
-- and the longest type name, in bytes, for the whole install. They live in the
-- one-row pgque.config, so every insert path reads them in the statement that already
-- looks up the queue; only the owner and pgque_admin may change them.

--changeset pgque:config-limits
ALTER TABLE pgque.config
	ADD COLUMN max_payload_bytes integer NOT NULL DEFAULT 1048576 CHECK (max_payload_bytes > 0),
	ADD COLUMN max_type_bytes integer NOT NULL DEFAULT 255 CHECK (max_type_bytes > 0);

--changeset pgque:set_limits runOnChange:true splitStatements:false stripComments:false
-- NULL leaves a limit as it is. Writes only when a value changes, so that applications
-- applying their configured limits at every start do not rewrite the row each time.
CREATE OR REPLACE FUNCTION pgque.set_limits(max_payload_bytes integer, max_type_bytes integer)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pgque, pg_catalog, pg_temp
AS $$
BEGIN
	IF $1 < 1 THEN
		RAISE EXCEPTION 'max_payload_bytes must be at least 1, was %', $1;
	END IF;
	IF $2 < 1 THEN
		RAISE EXCEPTION 'max_type_bytes must be at least 1, was %', $2;
	END IF;
	UPDATE pgque.config c
	SET max_payload_bytes = coalesce($1, c.max_payload_bytes), max_type_bytes = coalesce($2, c.max_type_bytes)
	WHERE (c.max_payload_bytes, c.max_type_bytes)
		IS DISTINCT FROM (coalesce($1, c.max_payload_bytes), coalesce($2, c.max_type_bytes));
END;
$$;

--changeset pgque:refuse_over_limit runOnChange:true splitStatements:false stripComments:false
-- Raises the error every insert path gives for an event over a limit, naming the limit,
-- its value and where to change it. Called only once a check has failed.
CREATE OR REPLACE FUNCTION pgque.refuse_over_limit(i_queue_name text, i_what text, i_bytes bigint, i_limit text,
		i_max integer)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
	RAISE EXCEPTION 'event refused on queue %: % is % bytes, over the limit % = % bytes', i_queue_name, i_what,
		i_bytes, i_limit, i_max
		USING HINT = 'The limits are in pgque.config; pgque.set_limits(max_payload_bytes, max_type_bytes) changes them.';
END;
$$;
