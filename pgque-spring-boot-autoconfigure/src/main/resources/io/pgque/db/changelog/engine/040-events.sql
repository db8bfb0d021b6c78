--liquibase formatted sql

-- Publishing events.

--changeset pgque:current_event_target runOnChange:true splitStatements:false stripComments:false
-- Where a writer inserts: the queue's current data table and its event sequence. Every
-- writer goes through here, because the order matters: this transaction's xid is taken
-- BEFORE queue_cur_table is read. Rotation's table selection trusts that a writer with
-- an xid above step2 writes to the new table; with the xid taken first, a writer that
-- read the old cur_table just before a switch always has an xid below the following
-- step2, so its rows are still read.
CREATE OR REPLACE FUNCTION pgque.current_event_target(i_queue_name text, OUT data_table text, OUT event_seq text)
LANGUAGE plpgsql
AS $$
DECLARE
	v_disabled boolean;
BEGIN
	PERFORM pg_catalog.pg_current_xact_id();
	-- Quoted: the prefix is a column admins can write, and callers paste it into SQL.
	SELECT pgque.quote_fqname(q.queue_data_pfx || '_' || q.queue_cur_table), q.queue_event_seq, q.queue_disable_insert
	INTO data_table, event_seq, v_disabled
	FROM pgque.queue q WHERE q.queue_name = i_queue_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'queue not found: %', i_queue_name;
	END IF;
	IF v_disabled AND pg_catalog.current_setting('session_replication_role') <> 'replica' THEN
		RAISE EXCEPTION 'Insert into queue disallowed';
	END IF;
END;
$$;

--changeset pgque:insert_event_raw runOnChange:true splitStatements:false stripComments:false
-- Appends one row to the queue's current data table; ev_txid takes the inserting
-- transaction's xid by default, which is what batch membership is decided on. The
-- lookup is inlined (as in insert_event_one) rather than a call to current_event_target:
-- one PL/pgSQL call less per event, the xid still taken first. A new event (no ev_id)
-- is held to the limits; a re-inserted one (retry passes the event's own id) is not, so
-- that lowering a limit never strands events already accepted.
CREATE OR REPLACE FUNCTION pgque.insert_event_raw(queue_name text, ev_id bigint, ev_time timestamptz,
		ev_owner int4, ev_retry int4, ev_type text, ev_data text, ev_extra1 text, ev_extra2 text,
		ev_extra3 text, ev_extra4 text)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
	v_table text;
	v_seq text;
	v_disabled boolean;
	v_id bigint;
BEGIN
	PERFORM pg_catalog.pg_current_xact_id();
	-- Quoted: the prefix is a column admins can write, and it is pasted into SQL below.
	SELECT pgque.quote_fqname(q.queue_data_pfx || '_' || q.queue_cur_table), q.queue_event_seq,
		q.queue_disable_insert
	INTO v_table, v_seq, v_disabled
	FROM pgque.queue q WHERE q.queue_name = $1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'queue not found: %', $1;
	END IF;
	IF v_disabled AND pg_catalog.current_setting('session_replication_role') <> 'replica' THEN
		RAISE EXCEPTION 'Insert into queue disallowed';
	END IF;
	IF $2 IS NULL AND pg_catalog.octet_length($7) > pgque.max_payload_bytes() THEN
		PERFORM pgque.refuse_over_limit($1, 'the payload', pg_catalog.octet_length($7), 'max_payload_bytes',
			pgque.max_payload_bytes());
	END IF;
	IF $2 IS NULL AND pg_catalog.octet_length($6) > pgque.max_type_bytes() THEN
		PERFORM pgque.refuse_over_limit($1, 'the type name', pg_catalog.octet_length($6), 'max_type_bytes',
			pgque.max_type_bytes());
	END IF;
	-- Always draws from the sequence (as upstream does), even when the id is given.
	v_id := pg_catalog.nextval(v_seq::regclass);
	IF $2 IS NOT NULL THEN
		v_id := $2;
	END IF;
	EXECUTE 'INSERT INTO ' || v_table
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
SET search_path = pgque, pg_catalog, pg_temp
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
-- For bulk loading with COPY; the name is valid only until the next rotation. The
-- caller COPYs into it in this transaction, whose xid current_event_target fixes first.
CREATE OR REPLACE FUNCTION pgque.current_event_table(x_queue_name text)
RETURNS text
LANGUAGE plpgsql
AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pgque.queue WHERE queue_name = x_queue_name) THEN
		RAISE EXCEPTION 'event queue not found: %', x_queue_name;
	END IF;
	RETURN (pgque.current_event_target(x_queue_name)).data_table;
END;
$$;
