--liquibase formatted sql

-- Observability. SECURITY DEFINER, so pgque_reader can call them even
-- though they read sequences only admins may touch.

--changeset pgque:get_queue_info/1 runOnChange:true splitStatements:false stripComments:false
-- One row per queue (all queues for NULL), by name. ev_per_sec spans the newest tick and
-- the oldest of the 20 before it.
CREATE OR REPLACE FUNCTION pgque.get_queue_info(i_queue_name text,
		OUT queue_name text, OUT queue_ntables integer, OUT queue_cur_table integer,
		OUT queue_rotation_period interval, OUT queue_switch_time timestamptz, OUT queue_external_ticker boolean,
		OUT queue_ticker_paused boolean, OUT queue_ticker_max_count integer, OUT queue_ticker_max_lag interval,
		OUT queue_ticker_idle_period interval, OUT ticker_lag interval, OUT ev_per_sec float8, OUT ev_new bigint,
		OUT last_tick_id bigint)
RETURNS SETOF record LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT q.queue_name, q.queue_ntables, q.queue_cur_table, q.queue_rotation_period, q.queue_switch_time,
		q.queue_external_ticker, q.queue_ticker_paused, q.queue_ticker_max_count, q.queue_ticker_max_lag,
		q.queue_ticker_idle_period,
		now() - newest.tick_time,
		CASE WHEN newest.tick_time > oldest.tick_time THEN
			(newest.tick_event_seq - oldest.tick_event_seq)::float8
				/ pg_catalog.date_part('epoch', newest.tick_time - oldest.tick_time)
		END,
		pgque.seq_getval(q.queue_event_seq) - newest.tick_event_seq,
		newest.tick_id
	FROM pgque.queue q
	LEFT JOIN LATERAL (SELECT t.tick_id, t.tick_time, t.tick_event_seq FROM pgque.tick t
		WHERE t.tick_queue = q.queue_id ORDER BY t.tick_id DESC LIMIT 1) newest ON true
	LEFT JOIN LATERAL (SELECT t.tick_time, t.tick_event_seq FROM pgque.tick t
		WHERE t.tick_queue = q.queue_id AND t.tick_id >= newest.tick_id - 20 ORDER BY t.tick_id LIMIT 1) oldest ON true
	WHERE $1 IS NULL OR q.queue_name = $1
	ORDER BY q.queue_name
$$;

--changeset pgque:get_queue_info/0 runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.get_queue_info(
		OUT queue_name text, OUT queue_ntables integer, OUT queue_cur_table integer,
		OUT queue_rotation_period interval, OUT queue_switch_time timestamptz, OUT queue_external_ticker boolean,
		OUT queue_ticker_paused boolean, OUT queue_ticker_max_count integer, OUT queue_ticker_max_lag interval,
		OUT queue_ticker_idle_period interval, OUT ticker_lag interval, OUT ev_per_sec float8, OUT ev_new bigint,
		OUT last_tick_id bigint)
RETURNS SETOF record LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT * FROM pgque.get_queue_info(NULL::text)
$$;

--changeset pgque:get_consumer_info/2 runOnChange:true splitStatements:false stripComments:false
-- One row per subscription, by queue then consumer; NULL arguments match everything.
CREATE OR REPLACE FUNCTION pgque.get_consumer_info(i_queue_name text, i_consumer_name text,
		OUT queue_name text, OUT consumer_name text, OUT lag interval, OUT last_seen interval, OUT last_tick bigint,
		OUT current_batch bigint, OUT next_tick bigint, OUT pending_events bigint)
RETURNS SETOF record LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT q.queue_name, c.co_name, now() - cursor_tick.tick_time, now() - s.sub_active, s.sub_last_tick,
		s.sub_batch, s.sub_next_tick, newest.tick_event_seq - cursor_tick.tick_event_seq
	FROM pgque.subscription s
	JOIN pgque.queue q ON q.queue_id = s.sub_queue
	JOIN pgque.consumer c ON c.co_id = s.sub_consumer
	LEFT JOIN pgque.tick cursor_tick ON cursor_tick.tick_queue = s.sub_queue AND cursor_tick.tick_id = s.sub_last_tick
	LEFT JOIN LATERAL (SELECT t.tick_event_seq FROM pgque.tick t
		WHERE t.tick_queue = s.sub_queue ORDER BY t.tick_id DESC LIMIT 1) newest ON true
	WHERE ($1 IS NULL OR q.queue_name = $1) AND ($2 IS NULL OR c.co_name = $2)
	ORDER BY q.queue_name, c.co_name
$$;

--changeset pgque:get_consumer_info/1 runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.get_consumer_info(i_queue_name text,
		OUT queue_name text, OUT consumer_name text, OUT lag interval, OUT last_seen interval, OUT last_tick bigint,
		OUT current_batch bigint, OUT next_tick bigint, OUT pending_events bigint)
RETURNS SETOF record LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT * FROM pgque.get_consumer_info($1, NULL)
$$;

--changeset pgque:get_consumer_info/0 runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.get_consumer_info(
		OUT queue_name text, OUT consumer_name text, OUT lag interval, OUT last_seen interval, OUT last_tick bigint,
		OUT current_batch bigint, OUT next_tick bigint, OUT pending_events bigint)
RETURNS SETOF record LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT * FROM pgque.get_consumer_info(NULL, NULL)
$$;

--changeset pgque:get_batch_info runOnChange:true splitStatements:false stripComments:false
-- Always one row: all NULL for an unknown batch. lag is the age of the batch's end tick.
CREATE OR REPLACE FUNCTION pgque.get_batch_info(x_batch_id bigint,
		OUT queue_name text, OUT consumer_name text, OUT batch_start timestamptz, OUT batch_end timestamptz,
		OUT prev_tick_id bigint, OUT tick_id bigint, OUT lag interval, OUT seq_start bigint, OUT seq_end bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT q.queue_name, c.co_name, p.tick_time, n.tick_time, s.sub_last_tick, s.sub_next_tick, now() - n.tick_time,
		p.tick_event_seq, n.tick_event_seq
	FROM (SELECT $1 AS batch_id) b
	LEFT JOIN pgque.subscription s ON s.sub_batch = b.batch_id
	LEFT JOIN pgque.queue q ON q.queue_id = s.sub_queue
	LEFT JOIN pgque.consumer c ON c.co_id = s.sub_consumer
	LEFT JOIN pgque.tick p ON p.tick_queue = s.sub_queue AND p.tick_id = s.sub_last_tick
	LEFT JOIN pgque.tick n ON n.tick_queue = s.sub_queue AND n.tick_id = s.sub_next_tick
$$;
