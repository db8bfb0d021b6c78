-- The send path as it was before issue 19 (engine of commit 9e3e847, 2026-12-02): its
-- send, send_batch, insert_event, insert_event_raw, insert_event_bulk,
-- current_event_target and quote_fqname, unchanged but for their schema, pgque_before,
-- and the search_path of the definer functions. They write into the queues and tables of
-- the installed engine, so EngineSendBenchmark can run the old and the new send path
-- against the same queue in alternating rounds. Generated with
--   git show 9e3e847:<engine>/010-helpers.sql (quote_fqname), 040-events.sql
--   (current_event_target .. insert_event/3), 100-api-send.sql
-- and sed 's/pgque\.\(those functions\)(/pgque_before.\1(/'. Benchmarks only.

-- Quotes 'schema.name'; a name without a dot is taken to be in public.
CREATE OR REPLACE FUNCTION pgque_before.quote_fqname(i_name text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$
	SELECT CASE
		WHEN pg_catalog.strpos(i_name, '.') > 0 THEN
			pg_catalog.quote_ident(pg_catalog.split_part(i_name, '.', 1)) || '.'
				|| pg_catalog.quote_ident(pg_catalog.substr(i_name, pg_catalog.strpos(i_name, '.') + 1))
		ELSE 'public.' || pg_catalog.quote_ident(i_name)
	END
$$;

-- Where a writer inserts: the queue's current data table and its event sequence. Every
-- writer goes through here, because the order matters: this transaction's xid is taken
-- BEFORE queue_cur_table is read. Rotation's table selection trusts that a writer with
-- an xid above step2 writes to the new table; with the xid taken first, a writer that
-- read the old cur_table just before a switch always has an xid below the following
-- step2, so its rows are still read.
CREATE OR REPLACE FUNCTION pgque_before.current_event_target(i_queue_name text, OUT data_table text, OUT event_seq text)
LANGUAGE plpgsql
AS $$
DECLARE
	v_disabled boolean;
BEGIN
	PERFORM pg_catalog.pg_current_xact_id();
	-- Quoted: the prefix is a column admins can write, and callers paste it into SQL.
	SELECT pgque_before.quote_fqname(q.queue_data_pfx || '_' || q.queue_cur_table), q.queue_event_seq, q.queue_disable_insert
	INTO data_table, event_seq, v_disabled
	FROM pgque.queue q WHERE q.queue_name = i_queue_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'queue not found: %', i_queue_name;
	END IF;
	IF v_disabled AND pg_catalog.current_setting('session_replication_role') <> 'replica' THEN
		RAISE EXCEPTION 'Insert into queue disallowed';
	END IF;
END;
$$;

-- Appends one row to the queue's current data table; ev_txid takes the inserting
-- transaction's xid by default, which is what batch membership is decided on.
CREATE OR REPLACE FUNCTION pgque_before.insert_event_raw(queue_name text, ev_id bigint, ev_time timestamptz,
		ev_owner int4, ev_retry int4, ev_type text, ev_data text, ev_extra1 text, ev_extra2 text,
		ev_extra3 text, ev_extra4 text)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
	v_target record;
	v_id bigint;
BEGIN
	v_target := pgque_before.current_event_target($1);
	-- Always draws from the sequence (as upstream does), even when the id is given.
	v_id := pg_catalog.nextval(v_target.event_seq::regclass);
	IF $2 IS NOT NULL THEN
		v_id := $2;
	END IF;
	EXECUTE 'INSERT INTO ' || v_target.data_table
		|| ' (ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)'
		|| ' VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)'
		USING v_id, $3, $4, $5, $6, $7, $8, $9, $10, $11;
	RETURN v_id;
END;
$$;

CREATE OR REPLACE FUNCTION pgque_before.insert_event(queue_name text, ev_type text, ev_data text, ev_extra1 text,
		ev_extra2 text, ev_extra3 text, ev_extra4 text)
RETURNS bigint
LANGUAGE sql SECURITY DEFINER
SET search_path = pgque_before, pgque, pg_catalog, pg_temp
AS $$
	SELECT pgque_before.insert_event_raw($1, NULL, now(), NULL, NULL, $2, $3, $4, $5, $6, $7)
$$;

CREATE OR REPLACE FUNCTION pgque_before.insert_event(queue_name text, ev_type text, ev_data text)
RETURNS bigint
LANGUAGE sql
AS $$
	SELECT pgque_before.insert_event($1, $2, $3, NULL, NULL, NULL, NULL)
$$;


-- The modern publishing API (contract §3.1): send, send_batch and the set-based bulk
-- insert they use. All SECURITY DEFINER, so a writer needs no table privileges.

-- One INSERT for the whole array, no loop. Ids are drawn in array order (the inner
-- ORDER BY fixes the order in which nextval runs) and returned aligned with the array
-- positions; a NULL element gives a NULL ev_data. Owner only: send_batch is the way in.
CREATE OR REPLACE FUNCTION pgque_before.insert_event_bulk(queue_name text, ev_type text, ev_data_list text[])
RETURNS bigint[]
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pgque_before, pgque, pg_catalog, pg_temp
AS $$
DECLARE
	v_target record;
	v_ids bigint[];
BEGIN
	v_target := pgque_before.current_event_target($1);
	IF $3 IS NULL THEN
		RETURN NULL;
	END IF;
	EXECUTE 'WITH numbered AS MATERIALIZED ('
		|| ' SELECT u.pos, u.data, pg_catalog.nextval($3::regclass) AS id'
		|| ' FROM (SELECT d.data, d.pos FROM pg_catalog.unnest($1) WITH ORDINALITY AS d (data, pos)'
		|| ' ORDER BY d.pos) u),'
		|| ' inserted AS (INSERT INTO ' || v_target.data_table || ' (ev_id, ev_time, ev_type, ev_data)'
		|| ' SELECT n.id, now(), $2, n.data FROM numbered n)'
		|| ' SELECT coalesce(pg_catalog.array_agg(n.id ORDER BY n.pos), ''{}'') FROM numbered n'
		INTO v_ids
		USING $3, $2, v_target.event_seq;
	RETURN v_ids;
END;
$$;

-- Text is stored byte for byte. An untyped literal resolves to this overload.
CREATE OR REPLACE FUNCTION pgque_before.send(queue_name text, payload text)
RETURNS bigint
LANGUAGE sql SECURITY DEFINER
SET search_path = pgque_before, pgque, pg_catalog, pg_temp
AS $$
	SELECT pgque_before.insert_event($1, 'default', $2, NULL, NULL, NULL, NULL)
$$;

-- jsonb is stored as its canonical text (keys sorted, whitespace normalised).
CREATE OR REPLACE FUNCTION pgque_before.send(queue_name text, payload jsonb)
RETURNS bigint
LANGUAGE sql SECURITY DEFINER
SET search_path = pgque_before, pgque, pg_catalog, pg_temp
AS $$
	SELECT pgque_before.insert_event($1, 'default', $2::text, NULL, NULL, NULL, NULL)
$$;

CREATE OR REPLACE FUNCTION pgque_before.send(queue_name text, type_name text, payload text)
RETURNS bigint
LANGUAGE sql SECURITY DEFINER
SET search_path = pgque_before, pgque, pg_catalog, pg_temp
AS $$
	SELECT pgque_before.insert_event($1, $2, $3, NULL, NULL, NULL, NULL)
$$;

CREATE OR REPLACE FUNCTION pgque_before.send(queue_name text, type_name text, payload jsonb)
RETURNS bigint
LANGUAGE sql SECURITY DEFINER
SET search_path = pgque_before, pgque, pg_catalog, pg_temp
AS $$
	SELECT pgque_before.insert_event($1, $2, $3::text, NULL, NULL, NULL, NULL)
$$;

-- An empty array returns {} before the queue is even looked up; a NULL array is a
-- caller bug and says so.
CREATE OR REPLACE FUNCTION pgque_before.send_batch(queue_name text, type_name text, payloads text[])
RETURNS bigint[]
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pgque_before, pgque, pg_catalog, pg_temp
AS $$
BEGIN
	IF payloads IS NULL THEN
		RAISE EXCEPTION 'payloads must not be null';
	END IF;
	IF pg_catalog.cardinality(payloads) = 0 THEN
		RETURN '{}'::bigint[];
	END IF;
	RETURN pgque_before.insert_event_bulk(queue_name, type_name, payloads);
END;
$$;

CREATE OR REPLACE FUNCTION pgque_before.send_batch(queue_name text, type_name text, payloads jsonb[])
RETURNS bigint[]
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pgque_before, pgque, pg_catalog, pg_temp
AS $$
BEGIN
	IF payloads IS NULL THEN
		RAISE EXCEPTION 'payloads must not be null';
	END IF;
	IF pg_catalog.cardinality(payloads) = 0 THEN
		RETURN '{}'::bigint[];
	END IF;
	-- Element-wise cast: each jsonb becomes its canonical text, NULLs stay NULL.
	RETURN pgque_before.insert_event_bulk(queue_name, type_name, payloads::text[]);
END;
$$;

CREATE OR REPLACE FUNCTION pgque_before.send_batch(queue_name text, payloads text[])
RETURNS bigint[]
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pgque_before, pgque, pg_catalog, pg_temp
AS $$
BEGIN
	IF payloads IS NULL THEN
		RAISE EXCEPTION 'payloads must not be null';
	END IF;
	IF pg_catalog.cardinality(payloads) = 0 THEN
		RETURN '{}'::bigint[];
	END IF;
	RETURN pgque_before.insert_event_bulk(queue_name, 'default', payloads);
END;
$$;

CREATE OR REPLACE FUNCTION pgque_before.send_batch(queue_name text, payloads jsonb[])
RETURNS bigint[]
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pgque_before, pgque, pg_catalog, pg_temp
AS $$
BEGIN
	IF payloads IS NULL THEN
		RAISE EXCEPTION 'payloads must not be null';
	END IF;
	IF pg_catalog.cardinality(payloads) = 0 THEN
		RETURN '{}'::bigint[];
	END IF;
	RETURN pgque_before.insert_event_bulk(queue_name, 'default', payloads::text[]);
END;
$$;
