--liquibase formatted sql

-- next_batch_custom, the one function that opens batches (receive -> next_batch ->
-- next_batch_custom), and batch_end_tick, its choice of a batch's end tick, in one file
-- that both changelogs include: the engine (pgque-engine.xml) and patch mode
-- (pgque-receive-lock-patch.xml), which applies them alone to an upstream PgQue install
-- that predates the receive lock. A fix here reaches both, and a database that already
-- ran these changesets (either way) skips them.
--
-- It may rely only on what an upstream 0.1 install has. Its subscription table has no
-- sub_role column (cooperative consumers came later), so the role is read through
-- to_jsonb(row), which is NULL when the column is missing, instead of naming the
-- column: the same text works on both shapes, with nothing to decide at install time.

--changeset pgque:batch_end_tick runOnChange:true splitStatements:false stripComments:false
-- The tick a new batch after the cursor tick i_prev_tick_id ends at: the first tick after
-- it, or, with a minimum count or interval, the one find_tick_helper chooses. All NULL
-- while none qualifies, or while the chosen tick is younger than i_min_lag. Both forms of
-- next_batch_custom (this file's and the cooperative one) open their windows with it.
CREATE OR REPLACE FUNCTION pgque.batch_end_tick(i_queue_id int4, i_prev_tick_id int8, i_min_lag interval,
		i_min_count int4, i_min_interval interval,
		OUT tick_id int8, OUT tick_time timestamptz, OUT tick_event_seq int8)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF i_min_count IS NULL AND i_min_interval IS NULL THEN
		SELECT t.tick_id, t.tick_time, t.tick_event_seq INTO tick_id, tick_time, tick_event_seq
		FROM pgque.tick t WHERE t.tick_queue = i_queue_id AND t.tick_id > i_prev_tick_id
		ORDER BY t.tick_id LIMIT 1;
	ELSE
		SELECT h.next_tick_id, h.next_tick_time, h.next_tick_seq INTO tick_id, tick_time, tick_event_seq
		FROM pgque.tick p, pgque.find_tick_helper(i_queue_id, p.tick_id, p.tick_time, p.tick_event_seq,
			i_min_count, i_min_interval) h
		WHERE p.tick_queue = i_queue_id AND p.tick_id = i_prev_tick_id;
	END IF;
	IF i_min_lag IS NOT NULL AND now() - tick_time < i_min_lag THEN
		tick_id := NULL;
		tick_time := NULL;
		tick_event_seq := NULL;
	END IF;
END;
$$;

--changeset pgque:next_batch_custom/6 runOnChange:true splitStatements:false stripComments:false
-- Opens (or returns the open) batch of one subscription.
--
-- THE RECEIVE LOCK: lock the subscription row alone (single-table SELECT ... FOR
-- UPDATE) before reading anything else. A concurrent caller for the same consumer
-- waits here until the holder's transaction ends, then sees the row as the holder left
-- it: the same open batch, or the moved cursor if the holder finished it. The ticks are
-- read afterwards, in statements of their own, so nothing stale from before the wait
-- is used (upstream locked "FOR UPDATE OF s" in a join with the ticks and kept the old
-- tick rows after the wait). Every path that sets sub_batch holds this lock, so a
-- subscription never has two batches over the same events.
CREATE OR REPLACE FUNCTION pgque.next_batch_custom(i_queue_name text, i_consumer_name text, i_min_lag interval,
		i_min_count int4, i_min_interval interval,
		OUT batch_id int8, OUT cur_tick_id int8, OUT prev_tick_id int8, OUT cur_tick_time timestamptz,
		OUT prev_tick_time timestamptz, OUT cur_tick_event_seq int8, OUT prev_tick_event_seq int8)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_queue_id int4;
	v_consumer_id int4;
	v_sub record;
	v_prev record;
	v_next record;
BEGIN
	SELECT q.queue_id INTO v_queue_id FROM pgque.queue q WHERE q.queue_name = i_queue_name;
	SELECT c.co_id INTO v_consumer_id FROM pgque.consumer c WHERE c.co_name = i_consumer_name;

	-- An idle poll takes no lock: with no open batch and no tick past the cursor there is
	-- nothing to open, and locking the row would cost a transaction id and WAL on every
	-- empty poll. Answering from an unlocked read is safe: "nothing yet" opens nothing and
	-- is what the locked path would have answered a moment earlier; every other case goes
	-- on to the lock and reads everything again.
	IF EXISTS (SELECT 1 FROM pgque.subscription s
		WHERE s.sub_queue = v_queue_id AND s.sub_consumer = v_consumer_id AND s.sub_batch IS NULL
			AND coalesce(pg_catalog.to_jsonb(s) ->> 'sub_role', 'normal') = 'normal'
			AND EXISTS (SELECT 1 FROM pgque.tick t WHERE t.tick_queue = v_queue_id AND t.tick_id = s.sub_last_tick)
			AND NOT EXISTS (SELECT 1 FROM pgque.tick t WHERE t.tick_queue = v_queue_id AND t.tick_id > s.sub_last_tick))
	THEN
		RETURN;
	END IF;

	SELECT s.sub_last_tick, s.sub_batch, s.sub_next_tick,
		coalesce(pg_catalog.to_jsonb(s) ->> 'sub_role', 'normal') AS sub_role
	INTO v_sub
	FROM pgque.subscription s
	WHERE s.sub_queue = v_queue_id AND s.sub_consumer = v_consumer_id
	FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'Not subscriber to queue: %/%', i_queue_name, i_consumer_name;
	END IF;
	IF v_sub.sub_role = 'coop_main' THEN
		-- Without members (a group whose members all left under the old rules) it opens
		-- nothing rather than fail: a main never holds a batch.
		IF NOT EXISTS (SELECT 1 FROM pgque.subscription m JOIN pgque.subscription s
				ON s.sub_queue = m.sub_queue AND s.sub_consumer = v_consumer_id
			WHERE m.sub_queue = v_queue_id AND m.sub_id = s.sub_id AND m.sub_role = 'coop_member') THEN
			RETURN;
		END IF;
		RAISE EXCEPTION 'consumer %/% is a cooperative main consumer; use its subconsumers', i_queue_name,
			i_consumer_name;
	ELSIF v_sub.sub_role = 'coop_member' THEN
		RAISE EXCEPTION 'consumer %/% is a cooperative subconsumer; use next_batch with a subconsumer',
			i_queue_name, i_consumer_name;
	END IF;

	SELECT t.tick_id, t.tick_time, t.tick_event_seq INTO v_prev
	FROM pgque.tick t WHERE t.tick_queue = v_queue_id AND t.tick_id = v_sub.sub_last_tick;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'PgQue corruption: consumer %/% does not see its cursor tick %', i_queue_name,
			i_consumer_name, v_sub.sub_last_tick;
	END IF;

	IF v_sub.sub_batch IS NOT NULL THEN
		-- Already open: hand out the same batch again.
		SELECT t.tick_id, t.tick_time, t.tick_event_seq INTO v_next
		FROM pgque.tick t WHERE t.tick_queue = v_queue_id AND t.tick_id = v_sub.sub_next_tick;
		batch_id := v_sub.sub_batch;
	ELSE
		SELECT * INTO v_next FROM pgque.batch_end_tick(v_queue_id, v_prev.tick_id, i_min_lag, i_min_count, i_min_interval);
		IF v_next.tick_id IS NULL THEN
			-- Nothing to do yet: all-NULL row, subscription untouched.
			RETURN;
		END IF;

		batch_id := pg_catalog.nextval('pgque.batch_id_seq');
		-- The normal-role guard, again without naming a column older installs lack.
		UPDATE pgque.subscription s
		SET sub_batch = batch_id, sub_next_tick = v_next.tick_id, sub_active = now()
		WHERE s.sub_queue = v_queue_id AND s.sub_consumer = v_consumer_id
			AND coalesce(pg_catalog.to_jsonb(s) ->> 'sub_role', 'normal') = 'normal';
	END IF;

	cur_tick_id := v_next.tick_id;
	cur_tick_time := v_next.tick_time;
	cur_tick_event_seq := v_next.tick_event_seq;
	prev_tick_id := v_prev.tick_id;
	prev_tick_time := v_prev.tick_time;
	prev_tick_event_seq := v_prev.tick_event_seq;
END;
$$;
