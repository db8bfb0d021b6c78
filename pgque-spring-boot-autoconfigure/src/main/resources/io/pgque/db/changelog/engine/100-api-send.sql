--liquibase formatted sql

-- The modern publishing API (contract §3.1): send, send_batch and the set-based bulk
-- insert they use. All SECURITY DEFINER, so a writer needs no table privileges.

--changeset pgque:insert_event_bulk runOnChange:true splitStatements:false
-- One INSERT for the whole array, no loop. Ids are drawn in array order (the inner
-- ORDER BY fixes the order in which nextval runs) and returned aligned with the array
-- positions; a NULL element gives a NULL ev_data. Owner only: send_batch is the way in.
CREATE OR REPLACE FUNCTION pgque.insert_event_bulk(queue_name text, ev_type text, ev_data_list text[])
RETURNS bigint[]
LANGUAGE plpgsql SECURITY DEFINER
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
LANGUAGE sql SECURITY DEFINER
SET search_path = pgque, pg_catalog, pg_temp
AS $$
	SELECT pgque.insert_event($1, 'default', $2, NULL, NULL, NULL, NULL)
$$;

--changeset pgque:send/jsonb runOnChange:true splitStatements:false
-- jsonb is stored as its canonical text (keys sorted, whitespace normalised).
CREATE OR REPLACE FUNCTION pgque.send(queue_name text, payload jsonb)
RETURNS bigint
LANGUAGE sql SECURITY DEFINER
SET search_path = pgque, pg_catalog, pg_temp
AS $$
	SELECT pgque.insert_event($1, 'default', $2::text, NULL, NULL, NULL, NULL)
$$;

--changeset pgque:send/typed-text runOnChange:true splitStatements:false
CREATE OR REPLACE FUNCTION pgque.send(queue_name text, type_name text, payload text)
RETURNS bigint
LANGUAGE sql SECURITY DEFINER
SET search_path = pgque, pg_catalog, pg_temp
AS $$
	SELECT pgque.insert_event($1, $2, $3, NULL, NULL, NULL, NULL)
$$;

--changeset pgque:send/typed-jsonb runOnChange:true splitStatements:false
CREATE OR REPLACE FUNCTION pgque.send(queue_name text, type_name text, payload jsonb)
RETURNS bigint
LANGUAGE sql SECURITY DEFINER
SET search_path = pgque, pg_catalog, pg_temp
AS $$
	SELECT pgque.insert_event($1, $2, $3::text, NULL, NULL, NULL, NULL)
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
