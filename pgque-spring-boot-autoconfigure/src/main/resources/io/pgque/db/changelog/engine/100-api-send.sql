--liquibase formatted sql

-- The modern publishing API: send and send_batch. All SECURITY DEFINER, so a writer
-- needs no table privileges. The inserts behind them, insert_event_one and the set-based
-- insert_event_bulk, are generated for the queues that exist (rebuild_event_writer,
-- 040-events.sql).

--changeset pgque:insert_event_bulk/3-dropped runOnChange:true splitStatements:false stripComments:false
-- Replaced by the four-argument insert_event_bulk (040; earlier installs have this one).
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
