--liquibase formatted sql

-- The modern publishing API: send, send_batch and the set-based bulk
-- insert they use. All SECURITY DEFINER, so a writer needs no table privileges.

--changeset pgque:insert_event_one runOnChange:true splitStatements:false
-- The single-send fast path: one PL/pgSQL call per event, no SQL-function layers
-- (a non-inlinable SQL function is planned again on every call). The queue lookup is a
-- static statement whose plan PL/pgSQL caches; only the INSERT naming the current table
-- is dynamic, and it carries four columns (the rest have defaults or stay NULL). The xid
-- is taken BEFORE queue_cur_table is read, for the reason given at current_event_target.
-- Not SECURITY DEFINER: only the send overloads (which are) call it; owner only. No SET
-- clause either (it would cost a GUC switch per event): it runs under the pinned
-- search_path of the definer function that calls it.
CREATE OR REPLACE FUNCTION pgque.insert_event_one(queue_name text, ev_type text, ev_data text)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
	v_table text;
	v_seq text;
	v_disabled boolean;
	v_id bigint;
BEGIN
	PERFORM pg_catalog.pg_current_xact_id();
	-- Quoted: the prefix is a column admins can write, and it is pasted into SQL below.
	SELECT pgque.quote_fqname(q.queue_data_pfx || '_' || q.queue_cur_table), q.queue_event_seq,
		q.queue_disable_insert
	INTO v_table, v_seq, v_disabled
	FROM pgque.queue q WHERE q.queue_name = $1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'queue not found: %', $1;
	END IF;
	IF v_disabled AND pg_catalog.current_setting('session_replication_role') <> 'replica' THEN
		RAISE EXCEPTION 'Insert into queue disallowed';
	END IF;
	-- A payload or type length limit belongs here: one place every single send passes.
	v_id := pg_catalog.nextval(v_seq::regclass);
	EXECUTE 'INSERT INTO ' || v_table || ' (ev_id, ev_time, ev_type, ev_data) VALUES ($1, now(), $2, $3)'
		USING v_id, $2, $3;
	RETURN v_id;
END;
$$;

--changeset pgque:insert_event_bulk runOnChange:true splitStatements:false
-- One INSERT for the whole array, no loop. Ids are drawn in array order (the inner
-- ORDER BY fixes the order in which nextval runs) and returned aligned with the array
-- positions; a NULL element gives a NULL ev_data. Owner only: send_batch is the way in,
-- so this needs no SECURITY DEFINER layer of its own.
CREATE OR REPLACE FUNCTION pgque.insert_event_bulk(queue_name text, ev_type text, ev_data_list text[])
RETURNS bigint[]
LANGUAGE plpgsql
SET search_path = pgque, pg_catalog, pg_temp
AS $$
DECLARE
	v_target record;
	v_ids bigint[];
BEGIN
	v_target := pgque.current_event_target($1);
	IF $3 IS NULL THEN
		RETURN NULL;
	END IF;
	-- A payload or type length limit for batches belongs here.
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

--changeset pgque:send/text runOnChange:true splitStatements:false
-- Text is stored byte for byte. An untyped literal resolves to this overload.
CREATE OR REPLACE FUNCTION pgque.send(queue_name text, payload text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pgque, pg_catalog, pg_temp
AS $$
BEGIN
	RETURN pgque.insert_event_one($1, 'default', $2);
END;
$$;

--changeset pgque:send/jsonb runOnChange:true splitStatements:false
-- jsonb is stored as its canonical text (keys sorted, whitespace normalised).
CREATE OR REPLACE FUNCTION pgque.send(queue_name text, payload jsonb)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pgque, pg_catalog, pg_temp
AS $$
BEGIN
	RETURN pgque.insert_event_one($1, 'default', $2::text);
END;
$$;

--changeset pgque:send/typed-text runOnChange:true splitStatements:false
CREATE OR REPLACE FUNCTION pgque.send(queue_name text, type_name text, payload text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pgque, pg_catalog, pg_temp
AS $$
BEGIN
	RETURN pgque.insert_event_one($1, $2, $3);
END;
$$;

--changeset pgque:send/typed-jsonb runOnChange:true splitStatements:false
CREATE OR REPLACE FUNCTION pgque.send(queue_name text, type_name text, payload jsonb)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pgque, pg_catalog, pg_temp
AS $$
BEGIN
	RETURN pgque.insert_event_one($1, $2, $3::text);
END;
$$;

--changeset pgque:send_batch/typed-text runOnChange:true splitStatements:false
-- An empty array returns {} before the queue is even looked up; a NULL array is a
-- caller bug and says so.
CREATE OR REPLACE FUNCTION pgque.send_batch(queue_name text, type_name text, payloads text[])
RETURNS bigint[]
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pgque, pg_catalog, pg_temp
AS $$
BEGIN
	IF payloads IS NULL THEN
		RAISE EXCEPTION 'payloads must not be null';
	END IF;
	IF pg_catalog.cardinality(payloads) = 0 THEN
		RETURN '{}'::bigint[];
	END IF;
	RETURN pgque.insert_event_bulk(queue_name, type_name, payloads);
END;
$$;

--changeset pgque:send_batch/typed-jsonb runOnChange:true splitStatements:false
CREATE OR REPLACE FUNCTION pgque.send_batch(queue_name text, type_name text, payloads jsonb[])
RETURNS bigint[]
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pgque, pg_catalog, pg_temp
AS $$
BEGIN
	IF payloads IS NULL THEN
		RAISE EXCEPTION 'payloads must not be null';
	END IF;
	IF pg_catalog.cardinality(payloads) = 0 THEN
		RETURN '{}'::bigint[];
	END IF;
	-- Element-wise cast: each jsonb becomes its canonical text, NULLs stay NULL.
	RETURN pgque.insert_event_bulk(queue_name, type_name, payloads::text[]);
END;
$$;

--changeset pgque:send_batch/text runOnChange:true splitStatements:false
CREATE OR REPLACE FUNCTION pgque.send_batch(queue_name text, payloads text[])
RETURNS bigint[]
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pgque, pg_catalog, pg_temp
AS $$
BEGIN
	IF payloads IS NULL THEN
		RAISE EXCEPTION 'payloads must not be null';
	END IF;
	IF pg_catalog.cardinality(payloads) = 0 THEN
		RETURN '{}'::bigint[];
	END IF;
	RETURN pgque.insert_event_bulk(queue_name, 'default', payloads);
END;
$$;

--changeset pgque:send_batch/jsonb runOnChange:true splitStatements:false
CREATE OR REPLACE FUNCTION pgque.send_batch(queue_name text, payloads jsonb[])
RETURNS bigint[]
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pgque, pg_catalog, pg_temp
AS $$
BEGIN
	IF payloads IS NULL THEN
		RAISE EXCEPTION 'payloads must not be null';
	END IF;
	IF pg_catalog.cardinality(payloads) = 0 THEN
		RETURN '{}'::bigint[];
	END IF;
	RETURN pgque.insert_event_bulk(queue_name, 'default', payloads::text[]);
END;
$$;
