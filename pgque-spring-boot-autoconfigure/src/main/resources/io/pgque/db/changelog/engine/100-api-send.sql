--liquibase formatted sql

-- The modern publishing API: send, send_batch and the set-based bulk
-- insert they use. All SECURITY DEFINER, so a writer needs no table privileges. The
-- single-send path behind every send overload, insert_event_one, is generated for the
-- queues that exist (rebuild_event_writer, 040-events.sql).

--changeset pgque:insert_event_bulk runOnChange:true splitStatements:false stripComments:false
-- One INSERT for the whole array, no loop, no sort: rows go in in array order (a scan
-- of unnest yields its elements in order, and nothing between reorders them), so the
-- ids the column default draws rise with the array position, and sorting the returned
-- ids restores that order. Ids come back aligned with the array positions; a NULL
-- element gives a NULL ev_data. ev_extra4 (the trace context of a traced batch) is the
-- same for every event, or NULL. The queue lookup is inlined as in _insert_event_dynamic, the
-- xid taken first. Owner only and without a SET clause, like insert_event_one (040):
-- send_batch is the way in and pins the search_path.
CREATE OR REPLACE FUNCTION pgque.insert_event_bulk(queue_name text, ev_type text, ev_data_list text[],
		ev_extra4 text)
RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE
	v_queue record;
	v_over record;
	v_ids bigint[];
BEGIN
	PERFORM pg_catalog.pg_current_xact_id();
	SELECT q.queue_data_pfx, q.queue_cur_table, q.queue_disable_insert INTO v_queue
	FROM pgque.queue q WHERE q.queue_name = $1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'queue not found: %', $1;
	END IF;
	IF v_queue.queue_disable_insert AND pg_catalog.current_setting('session_replication_role') <> 'replica' THEN
		RAISE EXCEPTION 'Insert into queue disallowed';
	END IF;
	IF $3 IS NULL THEN
		RETURN NULL;
	END IF;
	IF pg_catalog.octet_length($2) > pgque.max_type_bytes() THEN
		PERFORM pgque.refuse_over_limit($1, 'the type name', pg_catalog.octet_length($2), 'max_type_bytes',
			pgque.max_type_bytes());
	END IF;
	SELECT d.pos, pg_catalog.octet_length(d.data) AS bytes INTO v_over
	FROM pg_catalog.unnest($3) WITH ORDINALITY AS d (data, pos)
	WHERE pg_catalog.octet_length(d.data) > pgque.max_payload_bytes()
	LIMIT 1;
	IF FOUND THEN
		PERFORM pgque.refuse_over_limit($1, 'the payload at index ' || (v_over.pos - 1), v_over.bytes,
			'max_payload_bytes', pgque.max_payload_bytes());
	END IF;
	-- Quoted: the prefix is a column admins can write, and it is pasted into SQL here.
	EXECUTE 'WITH inserted AS (INSERT INTO ' || pgque.quote_fqname(v_queue.queue_data_pfx || '_' || v_queue.queue_cur_table)
		|| ' (ev_time, ev_type, ev_data, ev_extra4)'
		' SELECT pg_catalog.now(), $2, d.data, $3 FROM pg_catalog.unnest($1) AS d (data) RETURNING ev_id)'
		' SELECT coalesce(pg_catalog.array_agg(i.ev_id ORDER BY i.ev_id), ''{}'') FROM inserted i'
		INTO v_ids
		USING $3, $2, $4;
	RETURN v_ids;
END;
$$;

--changeset pgque:insert_event_bulk/3-dropped runOnChange:true splitStatements:false stripComments:false
-- Replaced by the four-argument insert_event_bulk above (earlier installs have this one).
DROP FUNCTION IF EXISTS pgque.insert_event_bulk(text, text, text[]);

--changeset pgque:send/text runOnChange:true splitStatements:false stripComments:false
-- Text is stored byte for byte. An untyped literal resolves to this overload.
CREATE OR REPLACE FUNCTION pgque.send(queue_name text, payload text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	RETURN pgque.insert_event_one($1, 'default', $2);
END;
$$;

--changeset pgque:send/jsonb runOnChange:true splitStatements:false stripComments:false
-- jsonb is stored as its canonical text (keys sorted, whitespace normalised).
CREATE OR REPLACE FUNCTION pgque.send(queue_name text, payload jsonb)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	RETURN pgque.insert_event_one($1, 'default', $2::text);
END;
$$;

--changeset pgque:send/typed-text runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.send(queue_name text, type_name text, payload text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	RETURN pgque.insert_event_one($1, $2, $3);
END;
$$;

--changeset pgque:send/typed-jsonb runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.send(queue_name text, type_name text, payload jsonb)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	RETURN pgque.insert_event_one($1, $2, $3::text);
END;
$$;

--changeset pgque:send_batch/typed-text runOnChange:true splitStatements:false stripComments:false
-- An empty array returns {} before the queue is even looked up; a NULL array is a
-- caller bug and says so.
CREATE OR REPLACE FUNCTION pgque.send_batch(queue_name text, type_name text, payloads text[])
RETURNS bigint[] LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF payloads IS NULL THEN
		RAISE EXCEPTION 'payloads must not be null';
	END IF;
	IF pg_catalog.cardinality(payloads) = 0 THEN
		RETURN '{}'::bigint[];
	END IF;
	RETURN pgque.insert_event_bulk(queue_name, type_name, payloads, NULL);
END;
$$;

--changeset pgque:send_batch/typed-jsonb runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.send_batch(queue_name text, type_name text, payloads jsonb[])
RETURNS bigint[] LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF payloads IS NULL THEN
		RAISE EXCEPTION 'payloads must not be null';
	END IF;
	IF pg_catalog.cardinality(payloads) = 0 THEN
		RETURN '{}'::bigint[];
	END IF;
	-- Element-wise cast: each jsonb becomes its canonical text, NULLs stay NULL.
	RETURN pgque.insert_event_bulk(queue_name, type_name, payloads::text[], NULL);
END;
$$;

--changeset pgque:send_batch/text runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.send_batch(queue_name text, payloads text[])
RETURNS bigint[] LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF payloads IS NULL THEN
		RAISE EXCEPTION 'payloads must not be null';
	END IF;
	IF pg_catalog.cardinality(payloads) = 0 THEN
		RETURN '{}'::bigint[];
	END IF;
	RETURN pgque.insert_event_bulk(queue_name, 'default', payloads, NULL);
END;
$$;

--changeset pgque:send_batch/jsonb runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.send_batch(queue_name text, payloads jsonb[])
RETURNS bigint[] LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF payloads IS NULL THEN
		RAISE EXCEPTION 'payloads must not be null';
	END IF;
	IF pg_catalog.cardinality(payloads) = 0 THEN
		RETURN '{}'::bigint[];
	END IF;
	RETURN pgque.insert_event_bulk(queue_name, 'default', payloads::text[], NULL);
END;
$$;


--changeset pgque:send_batch/typed-text-extra4 runOnChange:true splitStatements:false stripComments:false
-- A batch with one ev_extra4 value for every event: the trace context of the one
-- observation that sent it (PgqueTemplate.sendBatch with a tracer), set-based like the
-- other send_batch overloads instead of an insert_event per event.
CREATE OR REPLACE FUNCTION pgque.send_batch(queue_name text, type_name text, payloads text[], extra4 text)
RETURNS bigint[] LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF payloads IS NULL THEN
		RAISE EXCEPTION 'payloads must not be null';
	END IF;
	IF pg_catalog.cardinality(payloads) = 0 THEN
		RETURN '{}'::bigint[];
	END IF;
	RETURN pgque.insert_event_bulk(queue_name, type_name, payloads, extra4);
END;
$$;

--changeset pgque:send_batch/typed-jsonb-extra4 runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.send_batch(queue_name text, type_name text, payloads jsonb[], extra4 text)
RETURNS bigint[] LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF payloads IS NULL THEN
		RAISE EXCEPTION 'payloads must not be null';
	END IF;
	IF pg_catalog.cardinality(payloads) = 0 THEN
		RETURN '{}'::bigint[];
	END IF;
	RETURN pgque.insert_event_bulk(queue_name, type_name, payloads::text[], extra4);
END;
$$;
