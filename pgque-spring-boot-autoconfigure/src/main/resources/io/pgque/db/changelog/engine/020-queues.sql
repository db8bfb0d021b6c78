--liquibase formatted sql

-- Creating and dropping queues.

--changeset pgque:create_queue runOnChange:true splitStatements:false stripComments:false
-- Everything happens in the caller's transaction: a failure leaves nothing behind.
-- Two concurrent creations of one name (instances starting together): the second waits
-- on queue_name's unique index until the first commits, then returns 0 like any call
-- for an existing queue (or creates it, if the first rolled back).
CREATE OR REPLACE FUNCTION pgque.create_queue(i_queue_name text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_id int4;
	v_pfx text;
	v_event_seq text;
	v_tick_seq text;
	v_ntables int4;
	v_table text;
BEGIN
	IF i_queue_name IS NULL THEN
		RAISE EXCEPTION 'queue name must not be null';
	END IF;
	IF pg_catalog.btrim(i_queue_name, E' \t\r\n\f') = '' THEN
		RAISE EXCEPTION 'queue name must not be empty or blank';
	END IF;
	-- NOTIFY channels are at most 63 bytes, and ours are 'pgque_' || name.
	IF pg_catalog.octet_length(i_queue_name) > 57 THEN
		RAISE EXCEPTION 'queue name too long (% bytes, at most 57): %',
			pg_catalog.octet_length(i_queue_name), i_queue_name;
	END IF;
	IF EXISTS (SELECT 1 FROM pgque.queue WHERE queue_name = i_queue_name) THEN
		RETURN 0;
	END IF;

	v_id := pg_catalog.nextval('pgque.queue_queue_id_seq');
	v_pfx := 'pgque.event_' || v_id;
	v_event_seq := v_pfx || '_id_seq';
	v_tick_seq := v_pfx || '_tick_seq';
	BEGIN
		INSERT INTO pgque.queue (queue_id, queue_name, queue_data_pfx, queue_event_seq, queue_tick_seq)
		VALUES (v_id, i_queue_name, v_pfx, v_event_seq, v_tick_seq)
		RETURNING queue_ntables INTO v_ntables;
	EXCEPTION WHEN unique_violation THEN
		RETURN 0;
	END;

	EXECUTE 'CREATE SEQUENCE ' || v_event_seq;
	EXECUTE 'CREATE SEQUENCE ' || v_tick_seq;
	EXECUTE 'CREATE TABLE ' || v_pfx || ' () INHERITS (pgque.event_template)';
	FOR n IN 0 .. v_ntables - 1 LOOP
		v_table := v_pfx || '_' || n;
		EXECUTE 'CREATE TABLE ' || v_table || ' () INHERITS (' || v_pfx || ')';
		EXECUTE 'ALTER TABLE ' || v_table || ' ALTER COLUMN ev_id SET DEFAULT pg_catalog.nextval('
			|| pg_catalog.quote_literal(v_event_seq) || '::regclass)';
		EXECUTE 'CREATE INDEX event_' || v_id || '_' || n || '_txid_idx ON ' || v_table || ' (ev_txid)';
	END LOOP;

	PERFORM pgque.grant_perms(i_queue_name);
	-- send's static insert learns the new tables
	PERFORM pgque.rebuild_event_writer();
	PERFORM pgque.tune_storage(i_queue_name);
	-- Every queue starts with one tick, the cursor of its first consumers.
	PERFORM pgque.ticker(i_queue_name);
	RETURN 1;
END;
$$;

--changeset pgque:drop_queue/2 runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.drop_queue(x_queue_name text, x_force bool)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_queue pgque.queue%ROWTYPE;
	v_tables text;
BEGIN
	-- Lock order: queue row first, then unregister_consumer takes consumer and
	-- subscription rows.
	SELECT * INTO v_queue FROM pgque.queue WHERE queue_name = x_queue_name FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'No such event queue: %', x_queue_name;
	END IF;

	IF x_force THEN
		-- A member's open batch dies with the queue; without this its member would refuse to go.
		PERFORM pgque._clear_member_cursor(s.sub_queue, s.sub_consumer)
		FROM pgque.subscription s
		WHERE s.sub_queue = v_queue.queue_id AND s.sub_role = 'coop_member' AND s.sub_batch IS NOT NULL;
		-- Cooperative members go before their main, which refuses to go while they exist.
		PERFORM pgque.unregister_consumer(x_queue_name, c.co_name)
		FROM pgque.subscription s
		JOIN pgque.consumer c ON c.co_id = s.sub_consumer
		WHERE s.sub_queue = v_queue.queue_id
		ORDER BY s.sub_role = 'coop_main', c.co_name;
	ELSIF EXISTS (SELECT 1 FROM pgque.subscription WHERE sub_queue = v_queue.queue_id) THEN
		RAISE EXCEPTION 'cannot drop queue %: consumers are still subscribed (use force)', x_queue_name;
	END IF;

	-- Every name from the queue row is quoted: admins can write those columns.
	SELECT pg_catalog.string_agg(pgque.quote_fqname(v_queue.queue_data_pfx || '_' || n), ', ')
	INTO v_tables
	FROM pg_catalog.generate_series(0, v_queue.queue_ntables - 1) n;
	EXECUTE 'DROP TABLE ' || v_tables || ', ' || pgque.quote_fqname(v_queue.queue_data_pfx);

	DELETE FROM pgque.tick WHERE tick_queue = v_queue.queue_id;
	DELETE FROM pgque.retry_queue WHERE ev_queue = v_queue.queue_id;
	EXECUTE 'DROP SEQUENCE ' || pgque.quote_fqname(v_queue.queue_event_seq) || ', '
		|| pgque.quote_fqname(v_queue.queue_tick_seq);
	-- Cascades to the queue's dead-letter rows.
	DELETE FROM pgque.queue WHERE queue_id = v_queue.queue_id;
	PERFORM pgque.rebuild_event_writer();
	RETURN 1;
END;
$$;

--changeset pgque:drop_queue/1 runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.drop_queue(x_queue_name text)
RETURNS integer LANGUAGE sql STRICT AS $$
	SELECT pgque.drop_queue($1, false)
$$;
