--liquibase formatted sql

-- The modern consuming API: receive, ack, nack, subscribe, unsubscribe.

--changeset pgque:type-message
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_type WHERE oid = pg_catalog.to_regtype('pgque.message')
-- Column order is fixed: the Python and Go clients read it by position.
CREATE TYPE pgque.message AS (
	msg_id bigint,
	batch_id bigint,
	type text,
	payload text,
	retry_count int4,
	created_at timestamptz,
	extra1 text,
	extra2 text,
	extra3 text,
	extra4 text
);

--changeset pgque:subscribe runOnChange:true splitStatements:false stripComments:false
-- '#' is reserved for partition-slot consumers (C#k/N, newer contract): refused before
-- anything is created. register_consumer still accepts it, as upstream's does.
CREATE OR REPLACE FUNCTION pgque.subscribe(queue text, consumer text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF pg_catalog.strpos(consumer, '#') > 0 THEN
		RAISE EXCEPTION 'consumer name must not contain the reserved character #: %', consumer;
	END IF;
	RETURN pgque.register_consumer(queue, consumer);
END;
$$;

--changeset pgque:unsubscribe runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.unsubscribe(queue text, consumer text)
RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT pgque.unregister_consumer($1, $2)
$$;

--changeset pgque:_batch_messages runOnChange:true splitStatements:false stripComments:false
-- What every receive returns (owner only): an open batch's events as messages in id
-- order, up to i_max (NULL: all), with i_n only those whose key hashes to slot i_slot.
-- The batch's own query, not get_batch_events: the filter and the limit then reach the
-- scan instead of every row being read into a result set and sorted again. A window
-- holding nothing for the caller is finished at once, or the consumer (member, slot)
-- would sit on it for ever. ack finishes the whole batch, rows beyond the limit included.
CREATE OR REPLACE FUNCTION pgque._batch_messages(i_batch_id bigint, i_max int, i_slot int DEFAULT NULL,
		i_n int DEFAULT NULL)
RETURNS SETOF pgque.message LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_rows bigint;
BEGIN
	RETURN QUERY EXECUTE 'SELECT e.ev_id, $1, e.ev_type, e.ev_data, e.ev_retry, e.ev_time,'
		|| ' e.ev_extra1, e.ev_extra2, e.ev_extra3, e.ev_extra4 FROM ('
		|| pgque.batch_event_sql(i_batch_id) || ') e'
		|| CASE WHEN i_n IS NULL THEN '' ELSE ' WHERE pgque._slot_of(e.ev_extra1, $3) = $4' END
		|| ' ORDER BY e.ev_id LIMIT $2'
		USING i_batch_id, i_max, i_n, i_slot;
	GET DIAGNOSTICS v_rows = ROW_COUNT;
	IF v_rows = 0 THEN
		PERFORM pgque.finish_batch(i_batch_id);
	END IF;
END;
$$;

--changeset pgque:receive runOnChange:true splitStatements:false stripComments:false
-- Opens the batch only through next_batch -> next_batch_custom, which locks the
-- subscription row until this transaction ends: a concurrent receive for the same
-- consumer waits, then gets this same batch (or, if it was acked meanwhile, the next).
-- See _batch_messages for what is returned: a caller must read every row before acking
-- (i_max_return NULL returns them all).
CREATE OR REPLACE FUNCTION pgque.receive(i_queue text, i_consumer text, i_max_return int DEFAULT 100)
RETURNS SETOF pgque.message LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_batch_id bigint;
BEGIN
	IF i_max_return < 1 THEN
		RAISE EXCEPTION 'max_return must be >= 1, got %', i_max_return;
	END IF;
	IF pg_catalog.strpos(i_consumer, '#') > 0 THEN
		RAISE EXCEPTION 'consumer % is a partition slot (its name contains #); read it with receive_partitioned',
			i_consumer;
	END IF;
	v_batch_id := pgque.next_batch(i_queue, i_consumer);
	IF v_batch_id IS NOT NULL THEN
		RETURN QUERY SELECT * FROM pgque._batch_messages(v_batch_id, i_max_return);
	END IF;
END;
$$;

--changeset pgque:_refuse_slot_batch runOnChange:true splitStatements:false stripComments:false
-- ack and nack refuse a batch of a partition slot (consumer name with '#', newer
-- contract): only its fenced counterpart, named in the error, may finish it (owner only).
CREATE OR REPLACE FUNCTION pgque._refuse_slot_batch(i_batch_id bigint, i_counterpart text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM pgque.subscription s JOIN pgque.consumer c ON c.co_id = s.sub_consumer
			WHERE s.sub_batch = i_batch_id AND pg_catalog.strpos(c.co_name, '#') > 0) THEN
		RAISE EXCEPTION 'batch % belongs to a partition slot (consumer name contains #); use %', i_batch_id,
			i_counterpart;
	END IF;
END;
$$;

--changeset pgque:ack runOnChange:true splitStatements:false stripComments:false
-- 1 for an open batch, 0 for an unknown or already finished one; raises only for a
-- batch of a partition slot (consumer name with '#', newer contract).
CREATE OR REPLACE FUNCTION pgque.ack(i_batch_id bigint)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	PERFORM pgque._refuse_slot_batch(i_batch_id, 'ack_partitioned');
	RETURN pgque.finish_batch(i_batch_id);
END;
$$;

--changeset pgque:_nack_batch_event runOnChange:true splitStatements:false stripComments:false
-- The body of nack, shared with nack_partitioned (owner only). Only i_msg.msg_id is
-- trusted: retry count, payload and the rest come from the stored event, so a client
-- cannot dodge the dead-letter limit or rewrite what is kept. Idempotent: a repeat finds
-- the retry or dead-letter row already there and still returns 1. Does not finish the
-- batch.
CREATE OR REPLACE FUNCTION pgque._nack_batch_event(i_batch_id bigint, i_msg pgque.message,
		i_retry_after interval, i_reason text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_max_retries int4;
	v_event record;
BEGIN
	-- event_retry takes whole seconds as an integer: say so instead of overflowing.
	IF i_retry_after > interval '2147483647 seconds' THEN
		RAISE EXCEPTION 'nack: retry delay % is too long (at most 2147483647 seconds, about 68 years)',
			i_retry_after;
	END IF;
	SELECT coalesce(q.queue_max_retries, 5) INTO v_max_retries
	FROM pgque.subscription s
	JOIN pgque.queue q ON q.queue_id = s.sub_queue
	WHERE s.sub_batch = i_batch_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'batch not found: %', i_batch_id;
	END IF;

	SELECT e.* INTO v_event
	FROM pgque.get_batch_event(i_batch_id, (i_msg).msg_id) e;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'msg_id % not found in batch %', coalesce((i_msg).msg_id::text, 'NULL'), i_batch_id;
	END IF;

	IF coalesce(v_event.ev_retry, 0) >= v_max_retries THEN
		PERFORM pgque.event_dead(i_batch_id, v_event.ev_id,
			coalesce(i_reason, 'retry limit reached (max_retries ' || v_max_retries || ')'),
			v_event.ev_time, (v_event.ev_txid::text)::xid8, v_event.ev_retry, v_event.ev_type, v_event.ev_data,
			v_event.ev_extra1, v_event.ev_extra2, v_event.ev_extra3, v_event.ev_extra4);
	ELSE
		PERFORM pgque.event_retry(i_batch_id, v_event.ev_id,
			pg_catalog.round(pg_catalog.date_part('epoch', coalesce(i_retry_after, '60 seconds')))::integer);
	END IF;
	RETURN 1;
END;
$$;

--changeset pgque:nack runOnChange:true splitStatements:false stripComments:false
-- See _nack_batch_event. Raises for a batch of a partition slot (consumer name with
-- '#'): nack_partitioned is its fenced counterpart.
CREATE OR REPLACE FUNCTION pgque.nack(i_batch_id bigint, i_msg pgque.message,
		i_retry_after interval DEFAULT '60 seconds', i_reason text DEFAULT NULL)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	PERFORM pgque._refuse_slot_batch(i_batch_id, 'nack_partitioned');
	RETURN pgque._nack_batch_event(i_batch_id, i_msg, i_retry_after, i_reason);
END;
$$;
