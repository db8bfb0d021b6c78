--liquibase formatted sql

-- Ticks. A tick stores the ticking statement's snapshot; batches are
-- the events visible in one tick's snapshot and not in the previous one's.

--changeset pgque:ticker/1 runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.ticker(i_queue_name text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_queue pgque.queue%ROWTYPE;
	v_last record;
	v_prev_time timestamptz;
	v_event_seq bigint;
	v_new_events bigint;
	v_age interval;
	v_gap interval;
	v_next_xid xid8;
	v_tick_id bigint;
BEGIN
	SELECT * INTO v_queue FROM pgque.queue WHERE queue_name = i_queue_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such queue: %', i_queue_name;
	END IF;
	IF v_queue.queue_external_ticker THEN
		RAISE EXCEPTION 'queue % uses an external ticker', i_queue_name;
	END IF;
	IF v_queue.queue_ticker_paused THEN
		RAISE EXCEPTION 'ticker is paused for queue %', i_queue_name;
	END IF;

	-- One ticker per queue at a time, until commit: two concurrent tickers could take
	-- snapshots in one order and tick ids in the other. Taken before the statements
	-- below, so they (and the INSERT's snapshot) see the previous ticker's tick.
	-- Try-lock: advisory keys have no access control, so a key held elsewhere (another
	-- ticker, or any login at all) skips this queue for this pass instead of waiting.
	IF NOT pg_catalog.pg_try_advisory_xact_lock(1885828980, v_queue.queue_id) THEN
		RETURN NULL;
	END IF;

	SELECT tick_id, tick_time, tick_event_seq, tick_snapshot INTO v_last
	FROM pgque.tick WHERE tick_queue = v_queue.queue_id
	ORDER BY tick_id DESC LIMIT 1;
	v_event_seq := pgque.seq_getval(v_queue.queue_event_seq);

	IF v_last.tick_id IS NOT NULL THEN
		-- The next xid to be assigned, without assigning one to this transaction.
		v_next_xid := pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot());
		IF pg_catalog.pg_snapshot_xmin(v_last.tick_snapshot) > v_next_xid THEN
			RAISE EXCEPTION 'queue %: newest tick % has a snapshot from the future (xmin %, next xid %)',
				i_queue_name, v_last.tick_id, pg_catalog.pg_snapshot_xmin(v_last.tick_snapshot), v_next_xid;
		END IF;
		v_new_events := v_event_seq - v_last.tick_event_seq;
		IF v_new_events < 0 OR pg_catalog.pg_snapshot_xmax(v_last.tick_snapshot) > v_next_xid THEN
			RAISE WARNING 'queue %: event sequence or snapshot went backwards since tick %', i_queue_name,
				v_last.tick_id;
		END IF;
		v_age := now() - v_last.tick_time;

		IF v_new_events > 0 THEN
			IF v_new_events < v_queue.queue_ticker_max_count AND v_age < v_queue.queue_ticker_max_lag THEN
				RETURN NULL;
			END IF;
		ELSE
			-- Idle: tick ever less often, the gap roughly doubling up to idle_period.
			SELECT tick_time INTO v_prev_time
			FROM pgque.tick WHERE tick_queue = v_queue.queue_id AND tick_id < v_last.tick_id
			ORDER BY tick_id DESC LIMIT 1;
			IF FOUND THEN
				v_gap := v_last.tick_time - v_prev_time;
				IF v_age < v_queue.queue_ticker_max_lag / 2
						OR (v_age < 2 * v_gap AND v_age < v_queue.queue_ticker_idle_period) THEN
					RETURN NULL;
				END IF;
			END IF;
		END IF;
	END IF;

	INSERT INTO pgque.tick (tick_queue, tick_id, tick_event_seq)
	VALUES (v_queue.queue_id, pg_catalog.nextval(v_queue.queue_tick_seq::regclass), v_event_seq)
	RETURNING tick_id INTO v_tick_id;
	-- Delivered at commit, so listeners never wake before the tick is visible.
	PERFORM pg_catalog.pg_notify('pgque_' || v_queue.queue_name, v_tick_id::text);
	RETURN v_tick_id;
END;
$$;

--changeset pgque:ticker/0 runOnChange:true splitStatements:false stripComments:false
-- Ticks every queue that runs its own ticker and is not paused, by name; returns how
-- many produced a tick.
CREATE OR REPLACE FUNCTION pgque.ticker()
RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT pg_catalog.count(pgque.ticker(q.queue_name))
	FROM (SELECT queue_name FROM pgque.queue
		WHERE NOT queue_external_ticker AND NOT queue_ticker_paused
		ORDER BY queue_name) q
$$;

--changeset pgque:ticker/4 runOnChange:true splitStatements:false stripComments:false
-- For an external ticker (e.g. replaying another database's ticks): the caller chooses
-- tick id, time and event position.
CREATE OR REPLACE FUNCTION pgque.ticker(i_queue_name text, i_tick_id bigint, i_orig_timestamp timestamptz,
		i_event_seq bigint)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_queue pgque.queue%ROWTYPE;
	v_last record;
BEGIN
	SELECT * INTO v_queue FROM pgque.queue WHERE queue_name = i_queue_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'queue not found: %', i_queue_name;
	END IF;
	IF v_queue.queue_ticker_paused THEN
		RAISE EXCEPTION 'ticker is paused for queue %', i_queue_name;
	END IF;
	IF NOT v_queue.queue_external_ticker THEN
		RAISE EXCEPTION 'queue % is not in external ticker mode', i_queue_name;
	END IF;
	IF i_tick_id IS NULL OR i_event_seq IS NULL THEN
		RAISE EXCEPTION 'tick_id and event_seq must not be null';
	END IF;

	PERFORM pg_catalog.pg_advisory_xact_lock(1885828980, v_queue.queue_id);

	SELECT tick_id, tick_event_seq INTO v_last
	FROM pgque.tick WHERE tick_queue = v_queue.queue_id
	ORDER BY tick_id DESC LIMIT 1;
	IF v_last.tick_id IS NOT NULL THEN
		IF i_tick_id <= v_last.tick_id THEN
			RAISE EXCEPTION 'tick_id % must be above the newest tick_id % of queue %', i_tick_id,
				v_last.tick_id, i_queue_name;
		END IF;
		IF i_event_seq < v_last.tick_event_seq THEN
			RAISE EXCEPTION 'event_seq % must not be below % (newest tick of queue %)', i_event_seq,
				v_last.tick_event_seq, i_queue_name;
		END IF;
	END IF;

	INSERT INTO pgque.tick (tick_queue, tick_id, tick_time, tick_event_seq)
	VALUES (v_queue.queue_id, i_tick_id, i_orig_timestamp, i_event_seq);
	PERFORM pgque.seq_setval(v_queue.queue_tick_seq, i_tick_id);
	PERFORM pgque.seq_setval(v_queue.queue_event_seq, i_event_seq);
	PERFORM pg_catalog.pg_notify('pgque_' || v_queue.queue_name, i_tick_id::text);
	RETURN i_tick_id;
END;
$$;

--changeset pgque:force_next_tick runOnChange:true splitStatements:false stripComments:false
-- Makes the next ticker() pass tick by pushing the event sequence far past max_count.
-- Creates no tick itself; returns the newest existing one.
CREATE OR REPLACE FUNCTION pgque.force_next_tick(i_queue_name text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_queue pgque.queue%ROWTYPE;
	v_tick_id bigint;
BEGIN
	SELECT * INTO v_queue FROM pgque.queue WHERE queue_name = i_queue_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'queue not found: %', i_queue_name;
	END IF;
	IF v_queue.queue_ticker_paused THEN
		RAISE EXCEPTION 'ticker is paused for queue %', i_queue_name;
	END IF;
	IF v_queue.queue_external_ticker THEN
		RAISE EXCEPTION 'queue % uses an external ticker', i_queue_name;
	END IF;
	PERFORM pgque.seq_setval(v_queue.queue_event_seq,
		pg_catalog.nextval(v_queue.queue_event_seq::regclass) + 2 * v_queue.queue_ticker_max_count + 1000);
	SELECT max(tick_id) INTO v_tick_id FROM pgque.tick WHERE tick_queue = v_queue.queue_id;
	RETURN v_tick_id;
END;
$$;

--changeset pgque:force_tick runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.force_tick(i_queue_name text)
RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT pgque.force_next_tick($1)
$$;
