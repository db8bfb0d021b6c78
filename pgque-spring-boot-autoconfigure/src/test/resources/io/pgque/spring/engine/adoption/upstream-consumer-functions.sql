-- The consuming functions of an upstream-shaped install, written for our tests from the
-- contract (§3.2, §3.3) as plain SQL a DBA applied with psql; just enough for a consumer
-- to run against the install before it is adopted. next_batch_custom here is 0.1's: it
-- reads the subscription without locking it, so two sessions can open two batches over
-- the same events (the receive-lock bug).
CREATE OR REPLACE FUNCTION pgque.next_batch_custom(i_queue_name text, i_consumer_name text, i_min_lag interval,
		i_min_count int4, i_min_interval interval,
		OUT batch_id int8, OUT cur_tick_id int8, OUT prev_tick_id int8, OUT cur_tick_time timestamptz,
		OUT prev_tick_time timestamptz, OUT cur_tick_event_seq int8, OUT prev_tick_event_seq int8)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog
AS $$
DECLARE
	v record;
BEGIN
	SELECT s.sub_queue, s.sub_consumer, s.sub_last_tick, s.sub_batch, s.sub_next_tick INTO v
	FROM pgque.subscription s JOIN pgque.queue q ON q.queue_id = s.sub_queue
	JOIN pgque.consumer c ON c.co_id = s.sub_consumer
	WHERE q.queue_name = i_queue_name AND c.co_name = i_consumer_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'Not subscriber to queue: %/%', i_queue_name, i_consumer_name;
	END IF;
	prev_tick_id := v.sub_last_tick;
	IF v.sub_batch IS NOT NULL THEN
		batch_id := v.sub_batch;
		cur_tick_id := v.sub_next_tick;
		RETURN;
	END IF;
	SELECT t.tick_id INTO cur_tick_id FROM pgque.tick t
	WHERE t.tick_queue = v.sub_queue AND t.tick_id > v.sub_last_tick ORDER BY t.tick_id LIMIT 1;
	IF cur_tick_id IS NULL THEN
		prev_tick_id := NULL;
		RETURN;
	END IF;
	batch_id := nextval('pgque.batch_id_seq');
	UPDATE pgque.subscription SET sub_batch = batch_id, sub_next_tick = cur_tick_id, sub_active = now()
	WHERE sub_queue = v.sub_queue AND sub_consumer = v.sub_consumer;
END;
$$;

CREATE OR REPLACE FUNCTION pgque.next_batch(i_queue_name text, i_consumer_name text)
RETURNS bigint LANGUAGE sql
AS $$ SELECT batch_id FROM pgque.next_batch_custom($1, $2, NULL, NULL, NULL) $$;

-- Rules 1-3 of the contract's batch membership, over the queue's parent table.
CREATE OR REPLACE FUNCTION pgque.get_batch_events(x_batch_id bigint,
		OUT ev_id bigint, OUT ev_time timestamptz, OUT ev_txid bigint, OUT ev_retry int4, OUT ev_type text,
		OUT ev_data text, OUT ev_extra1 text, OUT ev_extra2 text, OUT ev_extra3 text, OUT ev_extra4 text)
RETURNS SETOF record LANGUAGE plpgsql
AS $$
DECLARE
	v record;
BEGIN
	SELECT s.sub_id, q.queue_data_pfx, p.tick_snapshot AS prev_snap, c.tick_snapshot AS cur_snap INTO v
	FROM pgque.subscription s JOIN pgque.queue q ON q.queue_id = s.sub_queue
	JOIN pgque.tick p ON p.tick_queue = s.sub_queue AND p.tick_id = s.sub_last_tick
	JOIN pgque.tick c ON c.tick_queue = s.sub_queue AND c.tick_id = s.sub_next_tick
	WHERE s.sub_batch = x_batch_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'batch not found: %', x_batch_id;
	END IF;
	RETURN QUERY EXECUTE format('SELECT e.ev_id, e.ev_time, e.ev_txid::text::bigint, e.ev_retry, e.ev_type, e.ev_data,'
		' e.ev_extra1, e.ev_extra2, e.ev_extra3, e.ev_extra4 FROM %s e WHERE pg_visible_in_snapshot(e.ev_txid, $1)'
		' AND NOT pg_visible_in_snapshot(e.ev_txid, $2) AND (e.ev_owner IS NULL OR e.ev_owner = $3) ORDER BY e.ev_id',
		v.queue_data_pfx) USING v.cur_snap, v.prev_snap, v.sub_id;
END;
$$;

CREATE OR REPLACE FUNCTION pgque.finish_batch(x_batch_id bigint)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog
AS $$
BEGIN
	UPDATE pgque.subscription
	SET sub_last_tick = sub_next_tick, sub_batch = NULL, sub_next_tick = NULL, sub_active = now()
	WHERE sub_batch = x_batch_id;
	RETURN CASE WHEN FOUND THEN 1 ELSE 0 END;
END;
$$;

CREATE OR REPLACE FUNCTION pgque.receive(i_queue text, i_consumer text, i_max_return int DEFAULT 100)
RETURNS SETOF pgque.message LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog
AS $$
DECLARE
	v_batch bigint := pgque.next_batch(i_queue, i_consumer);
	v_rows int := 0;
	v_msg pgque.message;
BEGIN
	IF v_batch IS NULL THEN
		RETURN;
	END IF;
	FOR v_msg IN SELECT e.ev_id, v_batch, e.ev_type, e.ev_data, e.ev_retry, e.ev_time, e.ev_extra1, e.ev_extra2,
			e.ev_extra3, e.ev_extra4 FROM pgque.get_batch_events(v_batch) e LIMIT i_max_return LOOP
		v_rows := v_rows + 1;
		RETURN NEXT v_msg;
	END LOOP;
	IF v_rows = 0 THEN
		PERFORM pgque.finish_batch(v_batch);
	END IF;
END;
$$;

CREATE OR REPLACE FUNCTION pgque.ack(i_batch_id bigint)
RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog
AS $$ SELECT pgque.finish_batch($1) $$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA pgque FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgque.next_batch(text, text), pgque.get_batch_events(bigint),
	pgque.finish_batch(bigint), pgque.receive(text, text, int), pgque.ack(bigint) TO pgque_reader;
