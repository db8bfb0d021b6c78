--liquibase formatted sql

-- Publishing events (contract §3.1).

--changeset pgque:insert_event_raw runOnChange:true splitStatements:false stripComments:false
-- Appends one row to the queue's current data table; ev_txid takes the inserting
-- transaction's xid by default, which is what batch membership is decided on.
CREATE OR REPLACE FUNCTION pgque.insert_event_raw(queue_name text, ev_id bigint, ev_time timestamptz,
		ev_owner int4, ev_retry int4, ev_type text, ev_data text, ev_extra1 text, ev_extra2 text,
		ev_extra3 text, ev_extra4 text)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
	v_queue record;
	v_id bigint;
BEGIN
	-- Take this transaction's xid BEFORE reading queue_cur_table. Rotation's table
	-- selection trusts that a writer with an xid above step2 writes to the new table;
	-- with the xid taken first, a writer that read the old cur_table just before a
	-- switch always has an xid below the following step2, so its row is still read.
	PERFORM pg_catalog.pg_current_xact_id();
	SELECT q.queue_data_pfx || '_' || q.queue_cur_table AS data_table, q.queue_event_seq, q.queue_disable_insert
	INTO v_queue
	FROM pgque.queue q WHERE q.queue_name = $1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'queue not found: %', $1;
	END IF;
	IF v_queue.queue_disable_insert AND pg_catalog.current_setting('session_replication_role') <> 'replica' THEN
		RAISE EXCEPTION 'Insert into queue disallowed';
	END IF;
	-- Always draws from the sequence (as upstream does), even when the id is given.
	v_id := pg_catalog.nextval(v_queue.queue_event_seq::regclass);
	IF $2 IS NOT NULL THEN
		v_id := $2;
	END IF;
	EXECUTE 'INSERT INTO ' || v_queue.data_table
		|| ' (ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)'
		|| ' VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)'
		USING v_id, $3, $4, $5, $6, $7, $8, $9, $10, $11;
	RETURN v_id;
END;
$$;

--changeset pgque:insert_event/7 runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.insert_event(queue_name text, ev_type text, ev_data text, ev_extra1 text,
		ev_extra2 text, ev_extra3 text, ev_extra4 text)
RETURNS bigint
LANGUAGE sql SECURITY DEFINER
SET search_path = pgque, pg_catalog
AS $$
	SELECT pgque.insert_event_raw($1, NULL, now(), NULL, NULL, $2, $3, $4, $5, $6, $7)
$$;

--changeset pgque:insert_event/3 runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.insert_event(queue_name text, ev_type text, ev_data text)
RETURNS bigint
LANGUAGE sql
AS $$
	SELECT pgque.insert_event($1, $2, $3, NULL, NULL, NULL, NULL)
$$;

--changeset pgque:current_event_table runOnChange:true splitStatements:false stripComments:false
-- For bulk loading with COPY; the name is valid only until the next rotation.
CREATE OR REPLACE FUNCTION pgque.current_event_table(x_queue_name text)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
	v_queue record;
BEGIN
	-- The caller COPYs into the returned table in this transaction: fix its xid first,
	-- for the same reason as in insert_event_raw.
	PERFORM pg_catalog.pg_current_xact_id();
	SELECT q.queue_data_pfx || '_' || q.queue_cur_table AS data_table, q.queue_disable_insert
	INTO v_queue
	FROM pgque.queue q WHERE q.queue_name = x_queue_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'event queue not found: %', x_queue_name;
	END IF;
	IF v_queue.queue_disable_insert AND pg_catalog.current_setting('session_replication_role') <> 'replica' THEN
		RAISE EXCEPTION 'Insert into queue disallowed';
	END IF;
	RETURN v_queue.data_table;
END;
$$;
