--liquibase formatted sql

-- The dead-letter queue. The table pgque.dead_letter is in
-- 001-tables.sql; rows go away with their queue or consumer (FK cascade).

--changeset pgque:event_dead runOnChange:true splitStatements:false stripComments:false
-- Stores the event as given. The unique key (queue, consumer, ev_id) makes a repeat a
-- no-op, so two concurrent nacks of one event leave exactly one row. A cooperative
-- member's dead letters are filed under its main consumer.
CREATE OR REPLACE FUNCTION pgque.event_dead(i_batch_id bigint, i_event_id bigint, i_reason text,
		i_ev_time timestamptz, i_ev_txid xid8, i_ev_retry int4, i_ev_type text, i_ev_data text,
		i_ev_extra1 text DEFAULT NULL, i_ev_extra2 text DEFAULT NULL, i_ev_extra3 text DEFAULT NULL,
		i_ev_extra4 text DEFAULT NULL)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_sub record;
	v_consumer_id int4;
BEGIN
	SELECT s.sub_queue, s.sub_id, s.sub_consumer, s.sub_role INTO v_sub
	FROM pgque.subscription s WHERE s.sub_batch = i_batch_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'batch not found: %', i_batch_id;
	END IF;
	v_consumer_id := v_sub.sub_consumer;
	IF v_sub.sub_role = 'coop_member' THEN
		SELECT m.sub_consumer INTO v_consumer_id
		FROM pgque.subscription m
		WHERE m.sub_queue = v_sub.sub_queue AND m.sub_id = v_sub.sub_id
			AND m.sub_role = 'coop_main';
	END IF;
	INSERT INTO pgque.dead_letter (dl_queue_id, dl_consumer_id, dl_reason, ev_id, ev_time, ev_txid, ev_retry,
		ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
	VALUES (v_sub.sub_queue, v_consumer_id, i_reason, i_event_id, i_ev_time, i_ev_txid, i_ev_retry,
		i_ev_type, i_ev_data, i_ev_extra1, i_ev_extra2, i_ev_extra3, i_ev_extra4)
	ON CONFLICT (dl_queue_id, dl_consumer_id, ev_id) DO NOTHING;
	RETURN 1;
END;
$$;

--changeset pgque:dlq_inspect runOnChange:true splitStatements:false stripComments:false
-- Newest first. An unknown queue simply has no rows.
CREATE OR REPLACE FUNCTION pgque.dlq_inspect(i_queue_name text, i_limit_count int DEFAULT 100)
RETURNS SETOF pgque.dead_letter LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT d.*
	FROM pgque.dead_letter d
	JOIN pgque.queue q ON q.queue_id = d.dl_queue_id
	WHERE q.queue_name = $1
	ORDER BY d.dl_time DESC, d.dl_id DESC
	LIMIT $2
$$;

--changeset pgque:dlq_replay runOnChange:true splitStatements:false stripComments:false
-- Re-publishes a dead letter as a NEW event (new id and time, no owner, no retry
-- count), so every subscriber of the queue gets it, and deletes the entry. The row
-- lock makes a concurrent second replay of the same id wait and then fail.
CREATE OR REPLACE FUNCTION pgque.dlq_replay(i_dead_letter_id bigint)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_dead record;
	v_id bigint;
BEGIN
	SELECT d.*, q.queue_name INTO v_dead
	FROM pgque.dead_letter d
	JOIN pgque.queue q ON q.queue_id = d.dl_queue_id
	WHERE d.dl_id = i_dead_letter_id
	FOR UPDATE OF d;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'dead letter entry not found: %', i_dead_letter_id;
	END IF;
	v_id := pgque.insert_event(v_dead.queue_name, v_dead.ev_type, v_dead.ev_data, v_dead.ev_extra1,
		v_dead.ev_extra2, v_dead.ev_extra3, v_dead.ev_extra4);
	DELETE FROM pgque.dead_letter WHERE dl_id = i_dead_letter_id;
	RETURN v_id;
END;
$$;

--changeset pgque:dlq_replay_all runOnChange:true splitStatements:false stripComments:false
-- Each entry is replayed in a subtransaction of its own, so one failure (say, inserts
-- disabled) is counted and reported without undoing the others.
CREATE OR REPLACE FUNCTION pgque.dlq_replay_all(i_queue_name text,
		OUT replayed bigint, OUT failed bigint, OUT first_error text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_dl_id bigint;
BEGIN
	replayed := 0;
	failed := 0;
	FOR v_dl_id IN
		SELECT d.dl_id
		FROM pgque.dead_letter d
		JOIN pgque.queue q ON q.queue_id = d.dl_queue_id
		WHERE q.queue_name = i_queue_name
		ORDER BY d.dl_id
	LOOP
		BEGIN
			PERFORM pgque.dlq_replay(v_dl_id);
			replayed := replayed + 1;
		EXCEPTION WHEN OTHERS THEN
			failed := failed + 1;
			RAISE WARNING 'dlq_replay_all: dl_id=% failed: %', v_dl_id, SQLERRM;
			IF first_error IS NULL THEN
				first_error := 'dl_id=' || v_dl_id || ': ' || SQLERRM;
			END IF;
		END;
	END LOOP;
END;
$$;

--changeset pgque:dlq_purge runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.dlq_purge(i_queue_name text, i_older_than interval DEFAULT '30 days')
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_count integer;
BEGIN
	-- A negative age would reach into the future and purge everything.
	IF i_older_than < interval '0' THEN
		RAISE EXCEPTION 'dlq_purge: older-than interval must not be negative: %', i_older_than;
	END IF;
	DELETE FROM pgque.dead_letter d
	USING pgque.queue q
	WHERE q.queue_id = d.dl_queue_id AND q.queue_name = i_queue_name AND d.dl_time < now() - i_older_than;
	GET DIAGNOSTICS v_count = ROW_COUNT;
	RETURN v_count;
END;
$$;
