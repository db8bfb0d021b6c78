--liquibase formatted sql

-- Consumers and subscriptions.

--changeset pgque:register_consumer_at runOnChange:true splitStatements:false stripComments:false
-- A new subscription starts at x_tick_pos, or at the queue's newest tick: it sees every
-- event committed after that tick was taken. An existing one returns 0; with a tick
-- position it is first moved there, dropping its open batch.
CREATE OR REPLACE FUNCTION pgque.register_consumer_at(x_queue_name text, x_consumer_name text, x_tick_pos bigint)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_queue_id int4;
	v_consumer_id int4;
	v_tick bigint;
BEGIN
	IF x_consumer_name IS NULL OR pg_catalog.btrim(x_consumer_name, E' \t\r\n\f') = '' THEN
		RAISE EXCEPTION 'consumer name must not be null, empty or blank';
	END IF;
	-- Far above any real name, far below the unique index's row limit (~2.7 kB), whose
	-- own error would not say which name is at fault.
	IF pg_catalog.octet_length(x_consumer_name) > 255 THEN
		RAISE EXCEPTION 'consumer name too long (% bytes, at most 255): %...',
			pg_catalog.octet_length(x_consumer_name), pg_catalog.left(x_consumer_name, 40);
	END IF;
	SELECT queue_id INTO v_queue_id FROM pgque.queue WHERE queue_name = x_queue_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'Event queue not created yet: %', x_queue_name;
	END IF;

	-- Lock order, the same in every function that takes both: consumer row, then
	-- subscription row, so two such calls never deadlock. FOR NO KEY UPDATE, not FOR
	-- UPDATE: it still serializes registrars, but not the KEY SHARE that the
	-- subscription's foreign-key check takes when a receive updates its row a second time
	-- in one transaction (next_batch, then finish_batch on an empty window); with FOR
	-- UPDATE such a receive waited for any open registration of its name (upstream #357).
	-- A new name: every concurrent first registrar but one waits on the unique index,
	-- then finds the winner's row instead of failing with a duplicate key.
	SELECT co_id INTO v_consumer_id FROM pgque.consumer WHERE co_name = x_consumer_name FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		INSERT INTO pgque.consumer (co_name) VALUES (x_consumer_name) ON CONFLICT (co_name) DO NOTHING;
		SELECT co_id INTO v_consumer_id FROM pgque.consumer WHERE co_name = x_consumer_name FOR NO KEY UPDATE;
	END IF;

	IF x_tick_pos IS NOT NULL THEN
		PERFORM 1 FROM pgque.tick WHERE tick_queue = v_queue_id AND tick_id = x_tick_pos;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'tick not found: % on queue %', x_tick_pos, x_queue_name;
		END IF;
	END IF;

	-- An existing subscription is locked only to be moved: re-registering without a
	-- position changes nothing, and must not make a receive of that consumer wait.
	-- Registrars of one name already serialize on the consumer row above.
	IF x_tick_pos IS NULL THEN
		PERFORM 1 FROM pgque.subscription WHERE sub_queue = v_queue_id AND sub_consumer = v_consumer_id;
	ELSE
		PERFORM 1 FROM pgque.subscription WHERE sub_queue = v_queue_id AND sub_consumer = v_consumer_id
		FOR UPDATE;
	END IF;
	IF FOUND THEN
		IF x_tick_pos IS NOT NULL THEN
			-- A member's window was taken from the group's cursor: dropping it would lose those events.
			IF EXISTS (SELECT 1 FROM pgque.subscription
					WHERE sub_queue = v_queue_id AND sub_consumer = v_consumer_id AND sub_role = 'coop_member') THEN
				RAISE EXCEPTION 'cannot reposition cooperative subconsumer %/%; move its main consumer instead',
					x_queue_name, x_consumer_name;
			END IF;
			UPDATE pgque.subscription
			SET sub_last_tick = x_tick_pos, sub_batch = NULL, sub_next_tick = NULL, sub_active = now()
			WHERE sub_queue = v_queue_id AND sub_consumer = v_consumer_id;
		END IF;
		RETURN 0;
	END IF;

	v_tick := x_tick_pos;
	IF v_tick IS NULL THEN
		SELECT max(tick_id) INTO v_tick FROM pgque.tick WHERE tick_queue = v_queue_id;
		IF v_tick IS NULL THEN
			RAISE EXCEPTION 'queue % has no ticks yet', x_queue_name;
		END IF;
	END IF;
	INSERT INTO pgque.subscription (sub_queue, sub_consumer, sub_last_tick)
	VALUES (v_queue_id, v_consumer_id, v_tick);
	RETURN 1;
END;
$$;

--changeset pgque:register_consumer runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.register_consumer(x_queue_name text, x_consumer_id text)
RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT pgque.register_consumer_at($1, $2, NULL)
$$;

--changeset pgque:unregister_consumer runOnChange:true splitStatements:false stripComments:false
-- Removes the subscription and its pending retries; a consumer left with no
-- subscription goes too, taking its dead letters with it (FK cascade).
CREATE OR REPLACE FUNCTION pgque.unregister_consumer(x_queue_name text, x_consumer_name text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_queue_id int4;
	v_consumer_id int4;
	v_main_consumer_id int4;
	v_sub record;
	v_count integer;
BEGIN
	SELECT queue_id INTO v_queue_id FROM pgque.queue WHERE queue_name = x_queue_name;
	-- A cooperative member: its main's consumer row and subscription are locked first,
	-- as every cooperative path does, so removing the last two members at once cannot
	-- leave a main without members, nor deadlock with a poll of the group.
	SELECT m.sub_consumer INTO v_main_consumer_id
	FROM pgque.subscription s
	JOIN pgque.consumer c ON c.co_id = s.sub_consumer
	JOIN pgque.subscription m ON m.sub_queue = s.sub_queue AND m.sub_id = s.sub_id AND m.sub_role = 'coop_main'
	WHERE s.sub_queue = v_queue_id AND c.co_name = x_consumer_name AND s.sub_role = 'coop_member';
	IF v_main_consumer_id IS NOT NULL THEN
		PERFORM 1 FROM pgque.consumer WHERE co_id = v_main_consumer_id FOR NO KEY UPDATE;
		PERFORM 1 FROM pgque.subscription WHERE sub_queue = v_queue_id AND sub_consumer = v_main_consumer_id
		FOR UPDATE;
	END IF;
	SELECT co_id INTO v_consumer_id FROM pgque.consumer WHERE co_name = x_consumer_name FOR UPDATE;
	IF v_queue_id IS NULL OR v_consumer_id IS NULL THEN
		RETURN 0;
	END IF;
	SELECT sub_id, sub_role, sub_batch INTO v_sub
	FROM pgque.subscription
	WHERE sub_queue = v_queue_id AND sub_consumer = v_consumer_id
	FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;

	IF v_sub.sub_role = 'coop_main' AND EXISTS (SELECT 1 FROM pgque.subscription
			WHERE sub_queue = v_queue_id AND sub_id = v_sub.sub_id AND sub_role = 'coop_member') THEN
		RAISE EXCEPTION 'cannot unregister cooperative main consumer with registered subconsumers: %/%',
			x_queue_name, x_consumer_name;
	END IF;
	IF v_sub.sub_role = 'coop_member' AND v_sub.sub_batch IS NOT NULL THEN
		RAISE EXCEPTION 'cannot unregister active cooperative subconsumer without forced batch handling: %/%',
			x_queue_name, x_consumer_name;
	END IF;

	-- Members share the main's sub_id, so only a normal or main row owns retry rows.
	IF v_sub.sub_role <> 'coop_member' THEN
		DELETE FROM pgque.retry_queue WHERE ev_queue = v_queue_id AND ev_owner = v_sub.sub_id;
	END IF;
	DELETE FROM pgque.subscription WHERE sub_queue = v_queue_id AND sub_consumer = v_consumer_id;
	GET DIAGNOSTICS v_count = ROW_COUNT;

	IF NOT EXISTS (SELECT 1 FROM pgque.subscription WHERE sub_consumer = v_consumer_id) THEN
		DELETE FROM pgque.consumer WHERE co_id = v_consumer_id;
	END IF;
	IF v_sub.sub_role = 'coop_member' THEN
		PERFORM pgque._coop_demote_if_memberless(v_queue_id, v_main_consumer_id);
	END IF;
	RETURN v_count;
END;
$$;
