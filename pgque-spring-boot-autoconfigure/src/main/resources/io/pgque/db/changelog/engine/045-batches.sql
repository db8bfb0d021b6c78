--liquibase formatted sql

-- Batches. A batch is the window between a subscription's cursor tick (sub_last_tick)
-- and the tick chosen as its end (sub_next_tick); next_batch_custom, which opens one, is
-- in 044-next-batch-custom.sql.

--changeset pgque:find_tick_helper runOnChange:true splitStatements:false stripComments:false
-- Chooses a batch end tick that satisfies a minimum event count or interval.
CREATE OR REPLACE FUNCTION pgque.find_tick_helper(i_queue_id int4, i_prev_tick_id int8,
		i_prev_tick_time timestamptz, i_prev_tick_seq int8, i_min_count int8, i_min_interval interval,
		OUT next_tick_id int8, OUT next_tick_time timestamptz, OUT next_tick_seq int8)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_newest record;
	v_enough boolean;
	v_far boolean;
BEGIN
	SELECT tick_id, tick_time, tick_event_seq INTO v_newest
	FROM pgque.tick WHERE tick_queue = i_queue_id AND tick_id > i_prev_tick_id
	ORDER BY tick_id DESC LIMIT 1;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	v_enough := coalesce(v_newest.tick_event_seq - i_prev_tick_seq >= i_min_count, false)
		OR coalesce(v_newest.tick_time - i_prev_tick_time >= i_min_interval, false);
	v_far := coalesce(v_newest.tick_event_seq - i_prev_tick_seq > 2 * i_min_count, false)
		OR coalesce(v_newest.tick_time - i_prev_tick_time > 2 * i_min_interval, false);
	IF v_far THEN
		-- Far behind: take the first tick that is enough, to keep batches near the limits.
		SELECT tick_id, tick_time, tick_event_seq INTO next_tick_id, next_tick_time, next_tick_seq
		FROM pgque.tick
		WHERE tick_queue = i_queue_id AND tick_id > i_prev_tick_id
			AND (coalesce(tick_event_seq - i_prev_tick_seq >= i_min_count, false)
				OR coalesce(tick_time - i_prev_tick_time >= i_min_interval, false))
		ORDER BY tick_id LIMIT 1;
	ELSIF v_enough THEN
		next_tick_id := v_newest.tick_id;
		next_tick_time := v_newest.tick_time;
		next_tick_seq := v_newest.tick_event_seq;
	END IF;
END;
$$;

--changeset pgque:next_batch_info runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.next_batch_info(i_queue_name text, i_consumer_name text,
		OUT batch_id int8, OUT cur_tick_id int8, OUT prev_tick_id int8, OUT cur_tick_time timestamptz,
		OUT prev_tick_time timestamptz, OUT cur_tick_event_seq int8, OUT prev_tick_event_seq int8)
LANGUAGE sql AS $$
	SELECT * FROM pgque.next_batch_custom($1, $2, NULL, NULL, NULL)
$$;

--changeset pgque:next_batch/2 runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.next_batch(i_queue_name text, i_consumer_name text)
RETURNS bigint LANGUAGE sql AS $$
	SELECT batch_id FROM pgque.next_batch_custom($1, $2, NULL, NULL, NULL)
$$;

--changeset pgque:batch_window runOnChange:true splitStatements:false stripComments:false
-- The open batch's subscription and the snapshots of its cursor and end ticks; no row
-- if the batch is not open. Plain SQL, not security definer and STABLE, so the planner
-- inlines it into its callers (batch_event_tables, batch_event_sql): no extra call.
CREATE OR REPLACE FUNCTION pgque.batch_window(x_batch_id bigint)
RETURNS TABLE (sub_id int4, queue_id int4, prev_snapshot pg_snapshot, cur_snapshot pg_snapshot) LANGUAGE sql STABLE AS $$
	SELECT s.sub_id, s.sub_queue, p.tick_snapshot, c.tick_snapshot
	FROM pgque.subscription s
	JOIN pgque.tick p ON p.tick_queue = s.sub_queue AND p.tick_id = s.sub_last_tick
	JOIN pgque.tick c ON c.tick_queue = s.sub_queue AND c.tick_id = s.sub_next_tick
	WHERE s.sub_batch = x_batch_id
$$;

--changeset pgque:batch_event_tables runOnChange:true splitStatements:false stripComments:false
-- Which data tables can hold a batch's events. Rotation keeps
-- every batch anyone can still open within the previous and the current table; the
-- third, oldest one is never read because rotation truncates it.
CREATE OR REPLACE FUNCTION pgque.batch_event_tables(x_batch_id bigint)
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	v_batch record;
	v_prev_table text;
	v_cur_table text;
BEGIN
	SELECT q.queue_data_pfx, q.queue_ntables, q.queue_cur_table, q.queue_switch_step1, q.queue_switch_step2,
		(pg_catalog.pg_snapshot_xmin(w.prev_snapshot)::text)::bigint AS lo,
		(pg_catalog.pg_snapshot_xmax(w.cur_snapshot)::text)::bigint AS hi
	INTO v_batch
	FROM pgque.batch_window(x_batch_id) w
	JOIN pgque.queue q ON q.queue_id = w.queue_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'Cannot find data for batch %', x_batch_id;
	END IF;
	-- Quoted: callers paste these names into SQL, and the prefix is admin-writable.
	v_prev_table := pgque.quote_fqname(v_batch.queue_data_pfx || '_'
		|| (v_batch.queue_cur_table + v_batch.queue_ntables - 1) % v_batch.queue_ntables);
	v_cur_table := pgque.quote_fqname(v_batch.queue_data_pfx || '_' || v_batch.queue_cur_table);
	IF v_batch.hi < v_batch.queue_switch_step1 THEN
		-- The batch ended before the last switch: all its writers used the old table.
		RETURN NEXT v_prev_table;
	ELSIF v_batch.queue_switch_step2 IS NOT NULL AND v_batch.lo > v_batch.queue_switch_step2 THEN
		-- The batch began after the switch was settled: all its writers use the new one.
		RETURN NEXT v_cur_table;
	ELSE
		RETURN NEXT v_prev_table;
		RETURN NEXT v_cur_table;
	END IF;
END;
$$;

--changeset pgque:batch_event_sql runOnChange:true splitStatements:false stripComments:false
-- The query for a batch's events (the visibility rule): written by a transaction
-- visible in the end tick's snapshot but not in the cursor tick's, owned by nobody or
-- by this subscription, in a table batch_event_tables names, ascending ev_id.
-- The txid bounds only let the ev_txid index narrow the scan: a row invisible in the
-- cursor snapshot has txid >= its xmax or is one of its in-progress xids, and a row
-- visible in the end snapshot has txid < its xmax. The snapshot tests decide.
CREATE OR REPLACE FUNCTION pgque.batch_event_sql(x_batch_id bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_batch record;
	v_filter text;
	v_sql text;
BEGIN
	SELECT w.sub_id, w.prev_snapshot, w.cur_snapshot,
		(SELECT pg_catalog.array_agg(x) FROM pg_catalog.pg_snapshot_xip(w.prev_snapshot) x
			WHERE pg_catalog.pg_visible_in_snapshot(x, w.cur_snapshot)) AS late_xids
	INTO v_batch
	FROM pgque.batch_window(x_batch_id) w;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'batch not found: %', x_batch_id;
	END IF;

	v_filter := '((ev_txid >= ' || pg_catalog.quote_literal(pg_catalog.pg_snapshot_xmax(v_batch.prev_snapshot)::text)
		|| '::xid8 AND ev_txid < ' || pg_catalog.quote_literal(pg_catalog.pg_snapshot_xmax(v_batch.cur_snapshot)::text)
		|| '::xid8)';
	IF v_batch.late_xids IS NOT NULL THEN
		v_filter := v_filter || ' OR ev_txid = ANY (' || pg_catalog.quote_literal(v_batch.late_xids::text)
			|| '::xid8[])';
	END IF;
	v_filter := v_filter || ')'
		|| ' AND pg_catalog.pg_visible_in_snapshot(ev_txid, '
		|| pg_catalog.quote_literal(v_batch.cur_snapshot::text) || '::pg_snapshot)'
		|| ' AND NOT pg_catalog.pg_visible_in_snapshot(ev_txid, '
		|| pg_catalog.quote_literal(v_batch.prev_snapshot::text) || '::pg_snapshot)'
		|| ' AND (ev_owner IS NULL OR ev_owner = ' || v_batch.sub_id || ')';

	SELECT pg_catalog.string_agg('SELECT * FROM ' || t || ' WHERE ' || v_filter, ' UNION ALL ')
	INTO v_sql
	FROM pgque.batch_event_tables(x_batch_id) t;

	RETURN 'SELECT ev.ev_id, ev.ev_time, (ev.ev_txid::text)::bigint AS ev_txid, ev.ev_retry, ev.ev_type,'
		|| ' ev.ev_data, ev.ev_extra1, ev.ev_extra2, ev.ev_extra3, ev.ev_extra4 FROM (' || v_sql
		|| ') ev ORDER BY ev.ev_id';
END;
$$;

--changeset pgque:type-batch-event
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_type WHERE oid = pg_catalog.to_regtype('pgque.batch_event')
-- One event of a batch as the functions below return it: PgQ's get_batch_events columns,
-- in its order (ev_txid as bigint).
CREATE TYPE pgque.batch_event AS (ev_id bigint, ev_time timestamptz, ev_txid bigint, ev_retry int4,
	ev_type text, ev_data text, ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text);

--changeset pgque:batch_event_readers runOnChange:true splitStatements:false stripComments:false
-- The functions that read a batch's events, all returning pgque.batch_event rows. Older
-- installs declared the columns in each of them (OUT parameters, result type record);
-- CREATE OR REPLACE cannot change a result type, so those are dropped first, in the same
-- transaction as their replacements: no caller ever finds them missing. (An object of
-- the user's that depends on one of them makes the drop, and so the upgrade, fail by
-- name.)
DO $$
DECLARE
	v_old regprocedure;
BEGIN
	FOR v_old IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
			WHERE p.pronamespace = 'pgque'::regnamespace
				AND p.proname IN ('get_batch_events', 'get_batch_event', 'get_batch_cursor')
				AND p.prorettype = 'pg_catalog.record'::regtype LOOP
		EXECUTE 'DROP FUNCTION ' || v_old::text;
	END LOOP;
END
$$;

-- Read-only and repeatable: the same open batch always gives the same rows.
CREATE OR REPLACE FUNCTION pgque.get_batch_events(x_batch_id bigint)
RETURNS SETOF pgque.batch_event LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE pgque.batch_event_sql(x_batch_id);
END;
$$;

-- One event of an open batch (none if it is not in the batch). The filter goes into the
-- batch's query, so each data table is searched for the id instead of the whole batch
-- being read and sorted to find one row (nack, event_retry).
CREATE OR REPLACE FUNCTION pgque.get_batch_event(x_batch_id bigint, x_event_id bigint)
RETURNS SETOF pgque.batch_event LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE 'SELECT * FROM (' || pgque.batch_event_sql(x_batch_id) || ') e WHERE e.ev_id = $1'
		USING x_event_id;
END;
$$;

-- Opens a cursor over the batch for paging through big batches; i_extra_where is
-- trusted SQL pasted in as is (hence admin-only). Returns the first i_quick_limit rows.
CREATE OR REPLACE FUNCTION pgque.get_batch_cursor(i_batch_id bigint, i_cursor_name text, i_quick_limit int4,
		i_extra_where text)
RETURNS SETOF pgque.batch_event LANGUAGE plpgsql AS $$
DECLARE
	v_sql text;
BEGIN
	IF i_batch_id IS NULL OR i_cursor_name IS NULL OR i_quick_limit IS NULL THEN
		RETURN;
	END IF;
	v_sql := pgque.batch_event_sql(i_batch_id);
	IF i_extra_where IS NOT NULL THEN
		v_sql := 'SELECT * FROM (' || v_sql || ') ev WHERE (' || i_extra_where || ') ORDER BY ev.ev_id';
	END IF;
	EXECUTE 'DECLARE ' || pg_catalog.quote_ident(i_cursor_name) || ' NO SCROLL CURSOR FOR ' || v_sql;
	IF i_quick_limit > 0 THEN
		RETURN QUERY EXECUTE 'FETCH ' || i_quick_limit || ' FROM ' || pg_catalog.quote_ident(i_cursor_name);
	END IF;
END;
$$;

CREATE OR REPLACE FUNCTION pgque.get_batch_cursor(i_batch_id bigint, i_cursor_name text, i_quick_limit int4)
RETURNS SETOF pgque.batch_event LANGUAGE sql STRICT AS $$
	SELECT * FROM pgque.get_batch_cursor($1, $2, $3, NULL)
$$;

--changeset pgque:finish_batch runOnChange:true splitStatements:false stripComments:false
-- Closes a batch: the cursor moves to its end tick. Locks the holding subscription row,
-- so it serialises with next_batch_custom; a repeat (or a concurrent second call, which
-- re-checks the row after waiting) finds no holder and returns 0.
CREATE OR REPLACE FUNCTION pgque.finish_batch(x_batch_id bigint)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_sub record;
BEGIN
	SELECT sub_queue, sub_consumer, sub_role INTO v_sub
	FROM pgque.subscription WHERE sub_batch = x_batch_id
	FOR UPDATE;
	IF NOT FOUND THEN
		RAISE WARNING 'finish_batch: batch % not found', x_batch_id;
		RETURN 0;
	END IF;
	IF v_sub.sub_role = 'coop_main' THEN
		RAISE EXCEPTION 'cannot finish cooperative main consumer batch %: only its subconsumers hold batches', x_batch_id;
	ELSIF v_sub.sub_role = 'coop_member' THEN
		-- A member's batch moved the shared cursor when it was handed out.
		UPDATE pgque.subscription SET sub_last_tick = NULL, sub_batch = NULL, sub_next_tick = NULL, sub_active = now()
		WHERE sub_queue = v_sub.sub_queue AND sub_consumer = v_sub.sub_consumer;
		RETURN 1;
	END IF;
	UPDATE pgque.subscription
	SET sub_last_tick = sub_next_tick, sub_batch = NULL, sub_next_tick = NULL, sub_active = now()
	WHERE sub_queue = v_sub.sub_queue AND sub_consumer = v_sub.sub_consumer;
	RETURN 1;
END;
$$;
