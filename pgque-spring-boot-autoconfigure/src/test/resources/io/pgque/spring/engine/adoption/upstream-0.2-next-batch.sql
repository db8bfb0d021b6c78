-- 0.2's next_batch_custom locks "FOR UPDATE OF s" in the join with the ticks (contract
-- §5): the row lock is there, but a waiter resumes with the tick rows it read before.
CREATE OR REPLACE FUNCTION pgque.next_batch_custom(i_queue_name text, i_consumer_name text, i_min_lag interval,
		i_min_count int4, i_min_interval interval,
		OUT batch_id int8, OUT cur_tick_id int8, OUT prev_tick_id int8, OUT cur_tick_time timestamptz,
		OUT prev_tick_time timestamptz, OUT cur_tick_event_seq int8, OUT prev_tick_event_seq int8)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog
AS $$
DECLARE
	v record;
BEGIN
	SELECT s.sub_queue, s.sub_consumer, s.sub_last_tick, s.sub_batch, s.sub_next_tick, n.tick_id AS next_tick INTO v
	FROM pgque.subscription s JOIN pgque.queue q ON q.queue_id = s.sub_queue
	JOIN pgque.consumer c ON c.co_id = s.sub_consumer
	LEFT JOIN LATERAL (SELECT t.tick_id FROM pgque.tick t WHERE t.tick_queue = s.sub_queue
		AND t.tick_id > s.sub_last_tick ORDER BY t.tick_id LIMIT 1) n ON true
	WHERE q.queue_name = i_queue_name AND c.co_name = i_consumer_name
	FOR UPDATE OF s;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'Not subscriber to queue: %/%', i_queue_name, i_consumer_name;
	END IF;
	prev_tick_id := v.sub_last_tick;
	IF v.sub_batch IS NOT NULL THEN
		batch_id := v.sub_batch;
		cur_tick_id := v.sub_next_tick;
		RETURN;
	END IF;
	cur_tick_id := v.next_tick;
	IF cur_tick_id IS NULL THEN
		prev_tick_id := NULL;
		RETURN;
	END IF;
	batch_id := nextval('pgque.batch_id_seq');
	UPDATE pgque.subscription SET sub_batch = batch_id, sub_next_tick = cur_tick_id, sub_active = now()
	WHERE sub_queue = v.sub_queue AND sub_consumer = v.sub_consumer;
END;
$$;
CREATE OR REPLACE FUNCTION pgque.version() RETURNS text LANGUAGE sql IMMUTABLE SECURITY DEFINER
SET search_path = pgque, pg_catalog AS $$ SELECT '0.2.0'::text $$;
