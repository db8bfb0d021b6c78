--liquibase formatted sql

-- Cooperative consumers: several workers (members) share one consumer's cursor and take
-- consecutive batches in parallel. A group is a main subscription (role coop_main, owns
-- the cursor, never a batch) plus member subscriptions (role coop_member, consumer name
-- "<consumer>.<subconsumer>", same sub_id as the main), each holding at most one batch.
-- Handing a window to a member moves the main cursor at once; finishing a member's
-- batch only clears the member.
--
-- LOCK ORDER, on every path that opens, takes over or removes a member batch:
--   1. the main's consumer row (FOR NO KEY UPDATE: nothing here changes its key),
--   2. the main's subscription (FOR UPDATE),
--   3. the member's consumer row,
--   4. the member's subscription,
--   5. a takeover victim (FOR UPDATE SKIP LOCKED, at most one).
-- All are held to transaction end, so every call for one group serializes on (1) and no
-- two members ever read the same main cursor. finish_batch/ack and touch_subconsumer
-- lock only the member row.

--changeset pgque:_validate_coop_names runOnChange:true splitStatements:false stripComments:false
-- "#" is refused too: plain ack/nack of some PgQue versions reject batches of consumers
-- whose name contains it, which would leave such a group unable to finish anything.
CREATE OR REPLACE FUNCTION pgque._validate_coop_names(i_queue text, i_consumer text, i_subconsumer text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF i_queue IS NULL OR i_queue = '' THEN
		RAISE EXCEPTION 'queue name must not be empty';
	ELSIF i_consumer IS NULL OR i_consumer = '' THEN
		RAISE EXCEPTION 'consumer name must not be empty';
	ELSIF i_subconsumer IS NULL OR i_subconsumer = '' THEN
		RAISE EXCEPTION 'subconsumer name must not be empty';
	ELSIF pg_catalog.strpos(i_consumer, '.') > 0 THEN
		RAISE EXCEPTION 'cooperative consumer name must not contain dot: %', i_consumer;
	ELSIF pg_catalog.strpos(i_subconsumer, '.') > 0 THEN
		RAISE EXCEPTION 'cooperative subconsumer name must not contain dot: %', i_subconsumer;
	ELSIF pg_catalog.strpos(i_consumer, '#') > 0 THEN
		RAISE EXCEPTION 'cooperative consumer name must not contain #: %', i_consumer;
	ELSIF pg_catalog.strpos(i_subconsumer, '#') > 0 THEN
		RAISE EXCEPTION 'cooperative subconsumer name must not contain #: %', i_subconsumer;
	ELSIF pg_catalog.octet_length(i_consumer) + 1 + pg_catalog.octet_length(i_subconsumer) > 255 THEN
		RAISE EXCEPTION 'cooperative subconsumer name too long (at most 255 bytes with its consumer): %.%...',
			pg_catalog.left(i_consumer, 40), pg_catalog.left(i_subconsumer, 40);
	END IF;
END;
$$;

--changeset pgque:_coop_lock_consumer runOnChange:true splitStatements:false stripComments:false
-- Locks a consumer row, creating it first if needed. Many workers starting at once all
-- find no row: ON CONFLICT lets every one but the first wait on the unique index and then
-- find the winner's row, instead of failing with a duplicate key.
CREATE OR REPLACE FUNCTION pgque._coop_lock_consumer(i_name text)
RETURNS int4 LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_id int4;
BEGIN
	SELECT co_id INTO v_id FROM pgque.consumer WHERE co_name = i_name FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		INSERT INTO pgque.consumer (co_name) VALUES (i_name) ON CONFLICT (co_name) DO NOTHING;
		SELECT co_id INTO v_id FROM pgque.consumer WHERE co_name = i_name FOR NO KEY UPDATE;
	END IF;
	RETURN v_id;
END;
$$;

--changeset pgque:_clear_member_cursor runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque._clear_member_cursor(p_queue_id int4, p_consumer_id int4)
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	UPDATE pgque.subscription
	SET sub_last_tick = NULL, sub_next_tick = NULL, sub_batch = NULL, sub_active = now()
	WHERE sub_queue = p_queue_id AND sub_consumer = p_consumer_id AND sub_role = 'coop_member'
$$;

--changeset pgque:register_subconsumer runOnChange:true splitStatements:false stripComments:false
-- Creates (or refreshes) a member, creating the main at the queue's newest tick if it is
-- new. A normal consumer becomes a main only with i_convert_normal and no open batch; it
-- keeps its sub_id (so its pending retries) and its cursor. 1 when a member row was
-- created, 0 when it existed.
CREATE OR REPLACE FUNCTION pgque.register_subconsumer(i_queue text, i_consumer text, i_subconsumer text,
		i_convert_normal boolean DEFAULT false)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_queue_id int4;
	v_main_id int4;
	v_member_id int4;
	v_main record;
	v_member record;
	v_tick bigint;
BEGIN
	PERFORM pgque._validate_coop_names(i_queue, i_consumer, i_subconsumer);
	SELECT queue_id INTO v_queue_id FROM pgque.queue WHERE queue_name = i_queue;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'Event queue not created yet: %', i_queue;
	END IF;

	v_main_id := pgque._coop_lock_consumer(i_consumer);
	SELECT sub_id, sub_role, sub_batch INTO v_main
	FROM pgque.subscription WHERE sub_queue = v_queue_id AND sub_consumer = v_main_id
	FOR UPDATE;
	IF NOT FOUND THEN
		SELECT max(tick_id) INTO v_tick FROM pgque.tick WHERE tick_queue = v_queue_id;
		IF v_tick IS NULL THEN
			RAISE EXCEPTION 'No ticks for this queue.  Please run ticker on database.';
		END IF;
		INSERT INTO pgque.subscription (sub_queue, sub_consumer, sub_last_tick, sub_role)
		VALUES (v_queue_id, v_main_id, v_tick, 'coop_main')
		RETURNING sub_id, sub_role, sub_batch INTO v_main;
	ELSIF v_main.sub_role = 'normal' THEN
		IF NOT coalesce(i_convert_normal, false) THEN
			RAISE EXCEPTION 'consumer % on queue % is already a normal consumer; explicit conversion is required',
				i_consumer, i_queue;
		ELSIF v_main.sub_batch IS NOT NULL THEN
			RAISE EXCEPTION 'cannot convert active normal consumer %/% (open batch %); finish it first', i_queue,
				i_consumer, v_main.sub_batch;
		END IF;
		UPDATE pgque.subscription SET sub_role = 'coop_main', sub_active = now()
		WHERE sub_queue = v_queue_id AND sub_consumer = v_main_id;
	ELSIF v_main.sub_role = 'coop_member' THEN
		RAISE EXCEPTION 'consumer % on queue % is not a cooperative main consumer', i_consumer, i_queue;
	END IF;

	v_member_id := pgque._coop_lock_consumer(i_consumer || '.' || i_subconsumer);
	SELECT sub_id, sub_role INTO v_member
	FROM pgque.subscription WHERE sub_queue = v_queue_id AND sub_consumer = v_member_id
	FOR UPDATE;
	IF FOUND THEN
		IF v_member.sub_role <> 'coop_member' OR v_member.sub_id <> v_main.sub_id THEN
			RAISE EXCEPTION 'consumer name %.% on queue % is already registered incompatibly', i_consumer,
				i_subconsumer, i_queue;
		END IF;
		UPDATE pgque.subscription SET sub_active = now()
		WHERE sub_queue = v_queue_id AND sub_consumer = v_member_id;
		RETURN 0;
	END IF;
	INSERT INTO pgque.subscription (sub_id, sub_queue, sub_consumer, sub_role)
	VALUES (v_main.sub_id, v_queue_id, v_member_id, 'coop_member');
	RETURN 1;
END;
$$;

--changeset pgque:subscribe_subconsumer runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.subscribe_subconsumer(i_queue text, i_consumer text, i_subconsumer text,
		i_convert_normal boolean DEFAULT false)
RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT pgque.register_subconsumer($1, $2, $3, $4)
$$;

--changeset pgque:unregister_subconsumer runOnChange:true splitStatements:false stripComments:false
-- Removes a member. An open batch is refused with i_batch_handling 0; with 1 its events
-- go to the retry queue (owned by the group, due in 60 s) or, past the retry limit, to
-- the dead letters, as a nack would; any failure there aborts the whole call. Removing
-- the last member turns the main back into a normal consumer. 0 when there is nothing
-- to remove.
CREATE OR REPLACE FUNCTION pgque.unregister_subconsumer(i_queue text, i_consumer text, i_subconsumer text,
		i_batch_handling integer DEFAULT 0)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_queue record;
	v_main_id int4;
	v_member_id int4;
	v_main record;
	v_member record;
	v_event record;
BEGIN
	PERFORM pgque._validate_coop_names(i_queue, i_consumer, i_subconsumer);
	-- NULL is refused too (upstream let it through and then acted as 1).
	IF i_batch_handling IS NULL OR i_batch_handling NOT IN (0, 1) THEN
		RAISE EXCEPTION 'unsupported batch_handling value: % (0 refuses an open batch, 1 retries its events)',
			coalesce(i_batch_handling::text, 'NULL');
	END IF;
	SELECT queue_id, coalesce(queue_max_retries, 5) AS max_retries INTO v_queue
	FROM pgque.queue WHERE queue_name = i_queue;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;
	SELECT co_id INTO v_main_id FROM pgque.consumer WHERE co_name = i_consumer FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;
	SELECT sub_id INTO v_main FROM pgque.subscription
	WHERE sub_queue = v_queue.queue_id AND sub_consumer = v_main_id AND sub_role = 'coop_main'
	FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;
	SELECT co_id INTO v_member_id FROM pgque.consumer WHERE co_name = i_consumer || '.' || i_subconsumer
	FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;
	SELECT sub_batch INTO v_member FROM pgque.subscription
	WHERE sub_queue = v_queue.queue_id AND sub_consumer = v_member_id AND sub_role = 'coop_member'
		AND sub_id = v_main.sub_id
	FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;

	IF v_member.sub_batch IS NOT NULL THEN
		IF i_batch_handling = 0 THEN
			RAISE EXCEPTION 'cannot unregister active cooperative subconsumer %/%/% without batch_handling = 1',
				i_queue, i_consumer, i_subconsumer;
		END IF;
		FOR v_event IN SELECT * FROM pgque.get_batch_events(v_member.sub_batch) LOOP
			IF coalesce(v_event.ev_retry, 0) >= v_queue.max_retries THEN
				PERFORM pgque.event_dead(v_member.sub_batch, v_event.ev_id, 'subconsumer unregistered',
					v_event.ev_time, (v_event.ev_txid::text)::xid8, v_event.ev_retry, v_event.ev_type,
					v_event.ev_data, v_event.ev_extra1, v_event.ev_extra2, v_event.ev_extra3, v_event.ev_extra4);
			ELSE
				PERFORM pgque.event_retry(v_member.sub_batch, v_event.ev_id, 60);
			END IF;
		END LOOP;
	END IF;

	DELETE FROM pgque.subscription WHERE sub_queue = v_queue.queue_id AND sub_consumer = v_member_id;
	IF NOT EXISTS (SELECT 1 FROM pgque.subscription WHERE sub_consumer = v_member_id) THEN
		DELETE FROM pgque.consumer WHERE co_id = v_member_id;
	END IF;
	PERFORM pgque._coop_demote_if_memberless(v_queue.queue_id, v_main_id);
	RETURN 1;
END;
$$;

--changeset pgque:_coop_demote_if_memberless runOnChange:true splitStatements:false stripComments:false
-- Called with the main's subscription locked, so no member can be added meanwhile.
CREATE OR REPLACE FUNCTION pgque._coop_demote_if_memberless(p_queue_id int4, p_main_consumer_id int4)
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	UPDATE pgque.subscription m SET sub_role = 'normal', sub_active = now()
	WHERE m.sub_queue = p_queue_id AND m.sub_consumer = p_main_consumer_id AND m.sub_role = 'coop_main'
		AND NOT EXISTS (SELECT 1 FROM pgque.subscription s
			WHERE s.sub_queue = m.sub_queue AND s.sub_id = m.sub_id AND s.sub_role = 'coop_member')
$$;

--changeset pgque:unsubscribe_subconsumer runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.unsubscribe_subconsumer(i_queue text, i_consumer text, i_subconsumer text,
		i_batch_handling integer DEFAULT 0)
RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT pgque.unregister_subconsumer($1, $2, $3, $4)
$$;

--changeset pgque:next_batch_custom/coop runOnChange:true splitStatements:false stripComments:false
-- Opens (or returns the open) batch of one member. Registers the member first (taking
-- the group's locks in order, see the top of this file), so the main cursor read below
-- cannot change under us and no other member can be handed the same window. With a
-- dead interval, a batch left by a member silent for longer than that is taken over
-- under a NEW batch id: the silent member's id is dead, so its late ack returns 0 and
-- its transaction can roll back its effects. A member acking at this very moment holds
-- its row, is skipped (SKIP LOCKED), and the caller opens a fresh window instead.
CREATE OR REPLACE FUNCTION pgque.next_batch_custom(i_queue text, i_consumer text, i_subconsumer text,
		i_min_lag interval, i_min_count int4, i_min_interval interval, i_dead_interval interval DEFAULT NULL,
		OUT batch_id bigint, OUT prev_tick_id bigint, OUT next_tick_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_queue_id int4;
	v_main_id int4;
	v_member_id int4;
	v_main record;
	v_member record;
	v_victim record;
	v_prev record;
	v_next record;
BEGIN
	PERFORM pgque.register_subconsumer(i_queue, i_consumer, i_subconsumer, false);
	SELECT queue_id INTO v_queue_id FROM pgque.queue WHERE queue_name = i_queue;
	SELECT co_id INTO v_main_id FROM pgque.consumer WHERE co_name = i_consumer;
	SELECT co_id INTO v_member_id FROM pgque.consumer WHERE co_name = i_consumer || '.' || i_subconsumer;
	-- Both rows are already locked by the registration; read them as it left them.
	SELECT sub_id, sub_last_tick, sub_batch INTO v_main FROM pgque.subscription
	WHERE sub_queue = v_queue_id AND sub_consumer = v_main_id AND sub_role = 'coop_main'
	FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'cooperative main consumer not found: %/%', i_queue, i_consumer;
	END IF;
	SELECT sub_last_tick, sub_next_tick, sub_batch INTO v_member FROM pgque.subscription
	WHERE sub_queue = v_queue_id AND sub_consumer = v_member_id AND sub_role = 'coop_member'
	FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'cooperative subconsumer not found: %/%/%', i_queue, i_consumer, i_subconsumer;
	END IF;

	IF v_member.sub_batch IS NOT NULL THEN
		-- Its own batch is still open: the same one again (the registration refreshed sub_active).
		batch_id := v_member.sub_batch;
		prev_tick_id := v_member.sub_last_tick;
		next_tick_id := v_member.sub_next_tick;
		RETURN;
	END IF;

	IF i_dead_interval IS NOT NULL THEN
		SELECT sub_consumer, sub_last_tick, sub_next_tick INTO v_victim
		FROM pgque.subscription
		WHERE sub_queue = v_queue_id AND sub_id = v_main.sub_id AND sub_role = 'coop_member'
			AND sub_consumer <> v_member_id AND sub_batch IS NOT NULL AND sub_active < now() - i_dead_interval
		ORDER BY sub_active, sub_consumer
		LIMIT 1
		FOR UPDATE SKIP LOCKED;
		IF FOUND THEN
			batch_id := pg_catalog.nextval('pgque.batch_id_seq');
			PERFORM pgque._clear_member_cursor(v_queue_id, v_victim.sub_consumer);
			UPDATE pgque.subscription
			SET sub_last_tick = v_victim.sub_last_tick, sub_next_tick = v_victim.sub_next_tick, sub_batch = batch_id,
				sub_active = now()
			WHERE sub_queue = v_queue_id AND sub_consumer = v_member_id;
			prev_tick_id := v_victim.sub_last_tick;
			next_tick_id := v_victim.sub_next_tick;
			RETURN;
		END IF;
	END IF;

	IF v_main.sub_batch IS NOT NULL THEN
		RAISE EXCEPTION 'cooperative main consumer %/% has an unexpected active batch %', i_queue, i_consumer,
			v_main.sub_batch;
	ELSIF v_main.sub_last_tick IS NULL THEN
		RAISE EXCEPTION 'PgQue corruption: cooperative main consumer %/% has no cursor', i_queue, i_consumer;
	END IF;
	SELECT t.tick_id, t.tick_time, t.tick_event_seq INTO v_prev
	FROM pgque.tick t WHERE t.tick_queue = v_queue_id AND t.tick_id = v_main.sub_last_tick;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'PgQue corruption: cooperative main consumer %/% does not see tick %', i_queue, i_consumer,
			v_main.sub_last_tick;
	END IF;
	SELECT * INTO v_next FROM pgque.batch_end_tick(v_queue_id, v_prev.tick_id, i_min_lag, i_min_count, i_min_interval);
	IF v_next.tick_id IS NULL THEN
		RETURN;
	END IF;

	batch_id := pg_catalog.nextval('pgque.batch_id_seq');
	UPDATE pgque.subscription SET sub_last_tick = v_next.tick_id, sub_active = now()
	WHERE sub_queue = v_queue_id AND sub_consumer = v_main_id;
	UPDATE pgque.subscription
	SET sub_last_tick = v_prev.tick_id, sub_next_tick = v_next.tick_id, sub_batch = batch_id, sub_active = now()
	WHERE sub_queue = v_queue_id AND sub_consumer = v_member_id;
	prev_tick_id := v_prev.tick_id;
	next_tick_id := v_next.tick_id;
END;
$$;

--changeset pgque:next_batch/coop runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.next_batch(i_queue text, i_consumer text, i_subconsumer text,
		i_dead_interval interval DEFAULT NULL)
RETURNS bigint LANGUAGE sql AS $$
	SELECT batch_id FROM pgque.next_batch_custom($1, $2, $3, NULL, NULL, NULL, $4)
$$;

--changeset pgque:receive_coop runOnChange:true splitStatements:false stripComments:false
-- receive for a member: its batch's events (see _batch_messages), up to i_max_return
-- (NULL: all).
CREATE OR REPLACE FUNCTION pgque.receive_coop(i_queue text, i_consumer text, i_subconsumer text,
		i_max_return int DEFAULT 100, i_dead_interval interval DEFAULT NULL)
RETURNS SETOF pgque.message LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_batch_id bigint;
BEGIN
	IF i_max_return < 1 THEN
		RAISE EXCEPTION 'max_return must be >= 1, got %', i_max_return;
	END IF;
	v_batch_id := pgque.next_batch(i_queue, i_consumer, i_subconsumer, i_dead_interval);
	IF v_batch_id IS NOT NULL THEN
		RETURN QUERY SELECT * FROM pgque._batch_messages(v_batch_id, i_max_return);
	END IF;
END;
$$;

--changeset pgque:touch_subconsumer runOnChange:true splitStatements:false stripComments:false
-- The heartbeat of a member working on a long batch: keeps it from looking dead to the
-- takeover check. clock_timestamp(), not now(): a heartbeat sent late in a long
-- transaction must count as late. Never creates anything; 0 when there is no such member.
CREATE OR REPLACE FUNCTION pgque.touch_subconsumer(i_queue text, i_consumer text, i_subconsumer text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_count integer;
BEGIN
	PERFORM pgque._validate_coop_names(i_queue, i_consumer, i_subconsumer);
	UPDATE pgque.subscription s SET sub_active = pg_catalog.clock_timestamp()
	FROM pgque.queue q, pgque.consumer c
	WHERE q.queue_name = i_queue AND c.co_name = i_consumer || '.' || i_subconsumer
		AND s.sub_queue = q.queue_id AND s.sub_consumer = c.co_id AND s.sub_role = 'coop_member';
	GET DIAGNOSTICS v_count = ROW_COUNT;
	RETURN v_count;
END;
$$;
