--liquibase formatted sql

-- Idempotent send (extended contract §C) and delayed delivery (§E, send_at). Both keep
-- their state in a table only these SECURITY DEFINER functions touch.

--changeset pgque:table-idem
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass('pgque.idem')
-- One row per live (or not yet collected) key; event_id is NULL only while its claim is
-- being appended.
CREATE TABLE pgque.idem (
	queue_id int4 NOT NULL REFERENCES pgque.queue (queue_id) ON DELETE CASCADE,
	idem_key text NOT NULL,
	event_id int8,
	expires_at timestamptz NOT NULL,
	PRIMARY KEY (queue_id, idem_key)
);
CREATE INDEX idem_expires_at_idx ON pgque.idem (expires_at);

--changeset pgque:table-delayed_events
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass('pgque.delayed_events')
-- Keyed by queue id (upstream keys by name): dropping a queue drops its schedule, and a
-- row can never name a queue that is gone.
CREATE TABLE pgque.delayed_events (
	de_id bigserial PRIMARY KEY,
	de_queue_id int4 NOT NULL REFERENCES pgque.queue (queue_id) ON DELETE CASCADE,
	de_deliver_at timestamptz NOT NULL,
	de_type text,
	de_data text,
	de_extra1 text,
	de_extra2 text,
	de_extra3 text,
	de_extra4 text
);
CREATE INDEX delayed_events_deliver_at_idx ON pgque.delayed_events (de_deliver_at);

--changeset pgque:send_idem_core/extra4 runOnChange:true splitStatements:false stripComments:false
-- Owner only. The claim is one INSERT .. ON CONFLICT: a second sender of a new key waits
-- on the first one's index entry and then sees its committed row (or claims the key if
-- the first rolled back), so no check-then-insert window exists. The conflicting branch
-- takes the row over only when it has expired; either way the row stays locked until
-- commit. The queue row's extra-maint list gets maint_idem with a guarded UPDATE.
-- i_extra4 goes to ev_extra4 (the starter keeps the sender's trace context there).
CREATE OR REPLACE FUNCTION pgque.send_idem_core(i_queue text, i_type text, i_payload text, i_idem_key text,
		i_ttl interval, i_partition_key text, i_extra4 text, OUT event_id int8, OUT deduped boolean)
LANGUAGE plpgsql AS $$
DECLARE
	v_queue_id int4;
	v_claimed boolean;
BEGIN
	IF i_idem_key IS NULL THEN
		RAISE EXCEPTION 'idem_key must not be null';
	END IF;
	IF i_ttl IS NULL OR i_ttl <= interval '0' THEN
		RAISE EXCEPTION 'ttl must be a positive interval';
	END IF;
	SELECT q.queue_id INTO v_queue_id FROM pgque.queue q WHERE q.queue_name = i_queue;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'queue not found: %', i_queue;
	END IF;
	UPDATE pgque.queue SET queue_extra_maint = pg_catalog.array_append(queue_extra_maint, 'pgque.maint_idem')
	WHERE queue_id = v_queue_id AND NOT coalesce('pgque.maint_idem' = ANY (queue_extra_maint), false);

	INSERT INTO pgque.idem AS i (queue_id, idem_key, event_id, expires_at)
	VALUES (v_queue_id, i_idem_key, NULL, now() + i_ttl)
	ON CONFLICT (queue_id, idem_key) DO UPDATE SET event_id = NULL, expires_at = EXCLUDED.expires_at
		WHERE i.expires_at <= now()
	RETURNING true INTO v_claimed;
	IF v_claimed THEN
		event_id := pgque.insert_event(i_queue, i_type, i_payload, i_partition_key, i_idem_key, NULL, i_extra4);
		UPDATE pgque.idem i SET event_id = send_idem_core.event_id
		WHERE i.queue_id = v_queue_id AND i.idem_key = i_idem_key;
		deduped := false;
		RETURN;
	END IF;
	-- A live row: ON CONFLICT has locked it, so this read sees its committed event id.
	SELECT i.event_id INTO event_id FROM pgque.idem i WHERE i.queue_id = v_queue_id AND i.idem_key = i_idem_key;
	deduped := true;
END;
$$;

--changeset pgque:send_idem_core runOnChange:true splitStatements:false stripComments:false
-- Owner only. The 7-argument core above, without extra4.
CREATE OR REPLACE FUNCTION pgque.send_idem_core(i_queue text, i_type text, i_payload text, i_idem_key text,
		i_ttl interval, i_partition_key text, OUT event_id int8, OUT deduped boolean)
LANGUAGE sql AS $$
	SELECT c.event_id, c.deduped FROM pgque.send_idem_core($1, $2, $3, $4, $5, $6, NULL::text) c
$$;

--changeset pgque:send_idem/text runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.send_idem(i_queue text, i_type text, i_payload text, i_idem_key text,
		i_ttl interval DEFAULT '1 hour', i_partition_key text DEFAULT NULL)
RETURNS TABLE (event_id int8, deduped boolean) LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT c.event_id, c.deduped FROM pgque.send_idem_core($1, $2, $3, $4, $5, $6) c
$$;

--changeset pgque:send_idem/jsonb runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.send_idem(i_queue text, i_type text, i_payload jsonb, i_idem_key text,
		i_ttl interval DEFAULT '1 hour', i_partition_key text DEFAULT NULL)
RETURNS TABLE (event_id int8, deduped boolean) LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT c.event_id, c.deduped FROM pgque.send_idem_core($1, $2, $3::text, $4, $5, $6) c
$$;

--changeset pgque:send_idem/text/extra4 runOnChange:true splitStatements:false stripComments:false
-- send_idem with extra4 for ev_extra4 (the sender's trace context, for the starter: a W3C
-- traceparent, or name=value lines). No defaults, so the 4- to 6-argument calls keep
-- resolving to the forms above.
CREATE OR REPLACE FUNCTION pgque.send_idem(i_queue text, i_type text, i_payload text, i_idem_key text,
		i_ttl interval, i_partition_key text, i_extra4 text)
RETURNS TABLE (event_id int8, deduped boolean) LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT c.event_id, c.deduped FROM pgque.send_idem_core($1, $2, $3, $4, $5, $6, $7) c
$$;

--changeset pgque:send_idem/jsonb/extra4 runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.send_idem(i_queue text, i_type text, i_payload jsonb, i_idem_key text,
		i_ttl interval, i_partition_key text, i_extra4 text)
RETURNS TABLE (event_id int8, deduped boolean) LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT c.event_id, c.deduped FROM pgque.send_idem_core($1, $2, $3::text, $4, $5, $6, $7) c
$$;

--changeset pgque:maint_idem/1 runOnChange:true splitStatements:false stripComments:false
-- Deletes expired keys of one queue in batches of 10 000 until none is left (upstream
-- stops after one batch); returns 1 if anything was deleted. SKIP LOCKED: a row a
-- sender holds is being reclaimed or deduplicated against, so it is not ours to take.
CREATE OR REPLACE FUNCTION pgque.maint_idem(i_queue_name text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_deleted integer;
	v_any boolean := false;
BEGIN
	LOOP
		DELETE FROM pgque.idem i
		WHERE (i.queue_id, i.idem_key) IN (
			SELECT e.queue_id, e.idem_key FROM pgque.idem e
			JOIN pgque.queue q ON q.queue_id = e.queue_id
			WHERE (i_queue_name IS NULL OR q.queue_name = i_queue_name) AND e.expires_at < now()
			LIMIT 10000 FOR UPDATE OF e SKIP LOCKED);
		GET DIAGNOSTICS v_deleted = ROW_COUNT;
		v_any := v_any OR v_deleted > 0;
		EXIT WHEN v_deleted < 10000;
	END LOOP;
	RETURN CASE WHEN v_any THEN 1 ELSE 0 END;
END;
$$;

--changeset pgque:maint_idem/0 runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.maint_idem()
RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT pgque.maint_idem(NULL::text)
$$;

--changeset pgque:send_at_core/extra4 runOnChange:true splitStatements:false stripComments:false
-- Owner only. A time that has come sends at once and returns the event id; a future one
-- is stored and returns the schedule id (de_id), as upstream. Unlike upstream the queue
-- and the limits are checked now, so a bad send fails at the caller, not in the ticker.
-- i_extra4 goes to ev_extra4 (the starter keeps the sender's trace context there).
CREATE OR REPLACE FUNCTION pgque.send_at_core(i_queue text, i_type text, i_payload text, i_deliver_at timestamptz,
		i_extra4 text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_queue_id int4;
	v_id bigint;
BEGIN
	IF i_deliver_at IS NULL THEN
		RAISE EXCEPTION 'deliver_at must not be null';
	END IF;
	IF i_deliver_at <= now() THEN
		RETURN pgque.insert_event(i_queue, i_type, i_payload, NULL, NULL, NULL, i_extra4);
	END IF;
	SELECT q.queue_id INTO v_queue_id FROM pgque.queue q WHERE q.queue_name = i_queue;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'queue not found: %', i_queue;
	END IF;
	IF pg_catalog.octet_length(i_payload) > pgque.max_payload_bytes() THEN
		PERFORM pgque.refuse_over_limit(i_queue, 'the payload', pg_catalog.octet_length(i_payload),
			'max_payload_bytes', pgque.max_payload_bytes());
	END IF;
	IF pg_catalog.octet_length(i_type) > pgque.max_type_bytes() THEN
		PERFORM pgque.refuse_over_limit(i_queue, 'the type name', pg_catalog.octet_length(i_type), 'max_type_bytes',
			pgque.max_type_bytes());
	END IF;
	INSERT INTO pgque.delayed_events (de_queue_id, de_deliver_at, de_type, de_data, de_extra4)
	VALUES (v_queue_id, i_deliver_at, i_type, i_payload, i_extra4)
	RETURNING de_id INTO v_id;
	RETURN v_id;
END;
$$;

--changeset pgque:send_at_core runOnChange:true splitStatements:false stripComments:false
-- Owner only. The 5-argument core above, without extra4.
CREATE OR REPLACE FUNCTION pgque.send_at_core(i_queue text, i_type text, i_payload text, i_deliver_at timestamptz)
RETURNS bigint LANGUAGE sql AS $$
	SELECT pgque.send_at_core($1, $2, $3, $4, NULL::text)
$$;

--changeset pgque:send_at/jsonb runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.send_at(i_queue text, i_type text, i_payload jsonb, i_deliver_at timestamptz)
RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT pgque.send_at_core($1, $2, $3::text, $4)
$$;

--changeset pgque:send_at/text runOnChange:true splitStatements:false stripComments:false
-- Text is stored byte for byte; an untyped literal picks this overload.
CREATE OR REPLACE FUNCTION pgque.send_at(i_queue text, i_type text, i_payload text, i_deliver_at timestamptz)
RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT pgque.send_at_core($1, $2, $3, $4)
$$;

--changeset pgque:send_at/jsonb/extra4 runOnChange:true splitStatements:false stripComments:false
-- send_at with extra4 for ev_extra4 (the sender's trace context, for the starter), kept
-- with a scheduled event until it is delivered.
CREATE OR REPLACE FUNCTION pgque.send_at(i_queue text, i_type text, i_payload jsonb, i_deliver_at timestamptz,
		i_extra4 text)
RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT pgque.send_at_core($1, $2, $3::text, $4, $5)
$$;

--changeset pgque:send_at/text/extra4 runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.send_at(i_queue text, i_type text, i_payload text, i_deliver_at timestamptz,
		i_extra4 text)
RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT pgque.send_at_core($1, $2, $3, $4, $5)
$$;

--changeset pgque:deliver_delayed runOnChange:true splitStatements:false stripComments:false
-- Owner only. Moves the queue's due rows into its current table in one statement, in
-- due order, each as a new event (new id, time now()). A queue that refuses inserts
-- keeps its rows until it accepts them again. Concurrent movers of one queue: the
-- second waits on the rows the first deleted and then skips them.
CREATE OR REPLACE FUNCTION pgque.deliver_delayed(i_queue_id int4)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	v_target record;
	v_queue_name text;
	v_count integer;
BEGIN
	SELECT q.queue_name INTO v_queue_name FROM pgque.queue q
	WHERE q.queue_id = i_queue_id AND (NOT q.queue_disable_insert
		OR pg_catalog.current_setting('session_replication_role') = 'replica');
	IF NOT FOUND THEN
		RETURN 0;
	END IF;
	v_target := pgque.current_event_target(v_queue_name);
	EXECUTE 'WITH due AS (DELETE FROM pgque.delayed_events WHERE de_queue_id = $1 AND de_deliver_at <= pg_catalog.now()'
		' RETURNING *), moved AS (INSERT INTO ' || v_target.data_table
		|| ' (ev_time, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)'
		' SELECT pg_catalog.now(), de_type, de_data, de_extra1, de_extra2, de_extra3, de_extra4 FROM due'
		' ORDER BY de_deliver_at, de_id RETURNING 1) SELECT pg_catalog.count(*) FROM moved'
		INTO v_count
		USING i_queue_id;
	RETURN v_count;
END;
$$;

--changeset pgque:maint_deliver_delayed runOnChange:true splitStatements:false stripComments:false
-- Every queue's due rows; returns how many events were made. Ticking runs it in its own
-- transaction just before each pgque.ticker() (embedded ticker, ticker_loop): the moved
-- events must be committed before the tick's snapshot for that tick to carry them, so
-- an event reaches consumers with the first tick at or after its time. One index probe
-- when nothing is due. Admin.
CREATE OR REPLACE FUNCTION pgque.maint_deliver_delayed()
RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT coalesce(pg_catalog.sum(pgque.deliver_delayed(d.de_queue_id)), 0)::integer
	FROM (SELECT DISTINCT de_queue_id FROM pgque.delayed_events WHERE de_deliver_at <= now()
		ORDER BY de_queue_id) d
$$;
