--liquibase formatted sql

-- Retry. A retried event waits in pgque.retry_queue, owned by the
-- subscription that asked for it, until maint_retry_events moves it back into the
-- queue's current table; from there only its owner sees it.

--changeset pgque:_retry_batch_events runOnChange:true splitStatements:false stripComments:false
-- Queues retries for one event of a batch, or with i_event_id NULL for the whole batch
-- (owner only), skipping events already waiting for this owner: no subscription lock, the
-- retry_queue primary key (owner, id) settles concurrent retries of one event, the
-- second waiting on the index and then doing nothing. Returns how many were queued.
CREATE OR REPLACE FUNCTION pgque._retry_batch_events(i_batch_id bigint, i_event_id bigint, i_retry_time timestamptz)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_sub record;
	v_count integer;
BEGIN
	SELECT sub_id, sub_queue INTO v_sub FROM pgque.subscription WHERE sub_batch = i_batch_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'batch not found: %', i_batch_id;
	END IF;
	-- get_batch_event finds one row without reading the batch; only one branch runs
	INSERT INTO pgque.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time, ev_txid, ev_owner, ev_retry, ev_type,
		ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
	SELECT i_retry_time, v_sub.sub_queue, e.ev_id, e.ev_time, NULL, v_sub.sub_id, coalesce(e.ev_retry, 0) + 1,
		e.ev_type, e.ev_data, e.ev_extra1, e.ev_extra2, e.ev_extra3, e.ev_extra4
	FROM (SELECT * FROM pgque.get_batch_event(i_batch_id, i_event_id) WHERE i_event_id IS NOT NULL
		UNION ALL
		SELECT * FROM pgque.get_batch_events(i_batch_id) WHERE i_event_id IS NULL) e
	ON CONFLICT (ev_owner, ev_id) DO NOTHING;
	GET DIAGNOSTICS v_count = ROW_COUNT;
	RETURN v_count;
END;
$$;

--changeset pgque:_retry_time runOnChange:true splitStatements:false stripComments:false
-- When a retry asked for in whole seconds becomes due (owner only).
CREATE OR REPLACE FUNCTION pgque._retry_time(i_retry_seconds integer)
RETURNS timestamptz LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF i_retry_seconds IS NULL OR i_retry_seconds < 0 THEN
		RAISE EXCEPTION 'retry delay must be zero or more seconds, got %', coalesce(i_retry_seconds::text, 'NULL');
	END IF;
	RETURN now() + pg_catalog.make_interval(secs => i_retry_seconds);
END;
$$;

--changeset pgque:event_retry/timestamptz runOnChange:true splitStatements:false stripComments:false
-- 1 when queued, 0 when the event already waits for this owner (a repeat).
CREATE OR REPLACE FUNCTION pgque.event_retry(x_batch_id bigint, x_event_id bigint, x_retry_time timestamptz)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF x_retry_time IS NULL THEN
		RAISE EXCEPTION 'retry time must not be null';
	ELSIF x_event_id IS NULL THEN
		RAISE EXCEPTION 'event id must not be null';
	END IF;
	IF pgque._retry_batch_events(x_batch_id, x_event_id, x_retry_time) = 1 THEN
		RETURN 1;
	END IF;
	IF EXISTS (SELECT 1 FROM pgque.retry_queue r JOIN pgque.subscription s ON s.sub_id = r.ev_owner
			WHERE s.sub_batch = x_batch_id AND r.ev_id = x_event_id) THEN
		RETURN 0;
	END IF;
	RAISE EXCEPTION 'event % not found in batch %', x_event_id, x_batch_id;
END;
$$;

--changeset pgque:event_retry/integer runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.event_retry(x_batch_id bigint, x_event_id bigint, x_retry_seconds integer)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	RETURN pgque.event_retry(x_batch_id, x_event_id, pgque._retry_time(x_retry_seconds));
END;
$$;

--changeset pgque:batch_retry runOnChange:true splitStatements:false stripComments:false
-- Retries the whole batch, skipping events already waiting for this owner; returns how
-- many were queued. Does not finish the batch.
CREATE OR REPLACE FUNCTION pgque.batch_retry(i_batch_id bigint, i_retry_seconds integer)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	RETURN pgque._retry_batch_events(i_batch_id, NULL, pgque._retry_time(i_retry_seconds));
END;
$$;

--changeset pgque:event_retry_raw runOnChange:true splitStatements:false stripComments:false
-- Queues a retry row exactly as given, for tools that move events between databases.
CREATE OR REPLACE FUNCTION pgque.event_retry_raw(x_queue text, x_consumer text, x_retry_after timestamptz,
		x_ev_id bigint, x_ev_time timestamptz, x_ev_retry int4, x_ev_type text, x_ev_data text, x_ev_extra1 text,
		x_ev_extra2 text, x_ev_extra3 text, x_ev_extra4 text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_sub record;
	v_id bigint := x_ev_id;
BEGIN
	SELECT s.sub_id, s.sub_queue, q.queue_event_seq INTO v_sub
	FROM pgque.queue q
	JOIN pgque.subscription s ON s.sub_queue = q.queue_id
	JOIN pgque.consumer c ON c.co_id = s.sub_consumer
	WHERE q.queue_name = x_queue AND c.co_name = x_consumer;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'consumer not registered on queue: %/%', x_queue, x_consumer;
	END IF;
	IF v_id IS NULL THEN
		v_id := pg_catalog.nextval(v_sub.queue_event_seq::regclass);
	END IF;
	INSERT INTO pgque.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time, ev_txid, ev_owner, ev_retry, ev_type,
		ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
	VALUES (x_retry_after, v_sub.sub_queue, v_id, x_ev_time, NULL, v_sub.sub_id, x_ev_retry, x_ev_type, x_ev_data,
		x_ev_extra1, x_ev_extra2, x_ev_extra3, x_ev_extra4);
	RETURN v_id;
END;
$$;

--changeset pgque:maint_retry_events runOnChange:true splitStatements:false stripComments:false
-- Moves up to 10 due retries back into their queues (same id and time, new retry count)
-- and returns how many; call until it returns 0. The moved rows carry this
-- transaction's xid, so they reach their owner with the first tick taken after commit.
CREATE OR REPLACE FUNCTION pgque.maint_retry_events()
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	v_count integer;
BEGIN
	-- One mover at a time (the mode conflicts with itself); inserts and deletes go on.
	LOCK TABLE pgque.retry_queue IN SHARE UPDATE EXCLUSIVE MODE;
	WITH due AS (
		DELETE FROM pgque.retry_queue r
		USING (SELECT ev_owner, ev_id FROM pgque.retry_queue
			WHERE ev_retry_after <= now()
			ORDER BY ev_retry_after, ev_owner, ev_id
			LIMIT 10) d
		WHERE r.ev_owner = d.ev_owner AND r.ev_id = d.ev_id
		RETURNING r.*
	)
	SELECT pg_catalog.count(pgque.insert_event_raw(q.queue_name, due.ev_id, due.ev_time, due.ev_owner, due.ev_retry,
		due.ev_type, due.ev_data, due.ev_extra1, due.ev_extra2, due.ev_extra3, due.ev_extra4))
	INTO v_count
	FROM due JOIN pgque.queue q ON q.queue_id = due.ev_queue;
	RETURN v_count;
END;
$$;
