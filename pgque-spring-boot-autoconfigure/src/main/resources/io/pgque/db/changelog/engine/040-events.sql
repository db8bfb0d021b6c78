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
LANGUAGE plpgsql AS $$
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

--changeset pgque:_insert_event_dynamic runOnChange:true splitStatements:false stripComments:false
-- send's slow path, behind the generated insert_event_one: a queue that function does not
-- know (created while another transaction rebuilt it, say, or its data prefix changed
-- since), a queue that does not exist, a disabled queue, a payload or type over its
-- limit, a NULL payload. It finds the table through current_event_target (the xid taken
-- first, the queue refused if unknown or disabled), refuses an event over a limit, or
-- inserts with dynamic SQL (the table name comes quoted).
-- Owner only, without a SET clause: it runs under the pinned search_path of the send
-- that calls it.
CREATE OR REPLACE FUNCTION pgque._insert_event_dynamic(queue_name text, ev_type text, ev_data text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_table text;
	v_id bigint;
BEGIN
	SELECT t.data_table INTO v_table FROM pgque.current_event_target($1) t;
	-- octet_length reads the stored size; it does not detoast or scan the text
	IF pg_catalog.octet_length($3) > pgque.max_payload_bytes() THEN
		PERFORM pgque.refuse_over_limit($1, 'the payload', pg_catalog.octet_length($3), 'max_payload_bytes',
			pgque.max_payload_bytes());
	END IF;
	IF pg_catalog.octet_length($2) > pgque.max_type_bytes() THEN
		PERFORM pgque.refuse_over_limit($1, 'the type name', pg_catalog.octet_length($2), 'max_type_bytes',
			pgque.max_type_bytes());
	END IF;
	EXECUTE 'INSERT INTO ' || v_table || ' (ev_time, ev_type, ev_data) VALUES (pg_catalog.now(), $1, $2) RETURNING ev_id'
		INTO v_id
		USING $2, $3;
	RETURN v_id;
END;
$$;

--changeset pgque:_insert_event_bulk_dynamic runOnChange:true splitStatements:false stripComments:false
-- send_batch's slow path, behind the generated insert_event_bulk, for the same cases as
-- _insert_event_dynamic (a payload over the limit is named by its index). One INSERT for
-- the whole array, as in the generated function. Owner only, without a SET clause.
CREATE OR REPLACE FUNCTION pgque._insert_event_bulk_dynamic(queue_name text, ev_type text, ev_data_list text[],
		ev_extra4 text)
RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE
	v_table text;
	v_over record;
	v_ids bigint[];
BEGIN
	SELECT t.data_table INTO v_table FROM pgque.current_event_target($1) t;
	IF $3 IS NULL THEN
		RETURN NULL;
	END IF;
	IF pg_catalog.octet_length($2) > pgque.max_type_bytes() THEN
		PERFORM pgque.refuse_over_limit($1, 'the type name', pg_catalog.octet_length($2), 'max_type_bytes',
			pgque.max_type_bytes());
	END IF;
	SELECT d.pos, pg_catalog.octet_length(d.data) AS bytes INTO v_over
	FROM pg_catalog.unnest($3) WITH ORDINALITY AS d (data, pos)
	WHERE pg_catalog.octet_length(d.data) > pgque.max_payload_bytes()
	LIMIT 1;
	IF FOUND THEN
		PERFORM pgque.refuse_over_limit($1, 'the payload at index ' || (v_over.pos - 1), v_over.bytes,
			'max_payload_bytes', pgque.max_payload_bytes());
	END IF;
	EXECUTE 'WITH inserted AS (INSERT INTO ' || v_table || ' (ev_time, ev_type, ev_data, ev_extra4)'
		' SELECT pg_catalog.now(), $2, d.data, $3 FROM pg_catalog.unnest($1) AS d (data) RETURNING ev_id)'
		' SELECT coalesce(pg_catalog.array_agg(i.ev_id ORDER BY i.ev_id), ''{}'') FROM inserted i'
		INTO v_ids
		USING $3, $2, $4;
	RETURN v_ids;
END;
$$;

--changeset pgque:event_writer_branch/5-dropped runOnChange:true splitStatements:false stripComments:false
-- Replaced by the six-argument event_writer_branch below (earlier installs have this one).
DROP FUNCTION IF EXISTS pgque.event_writer_branch(int4[], text[], int4[], int, int);

--changeset pgque:event_writer_branch runOnChange:true splitStatements:false stripComments:false
-- The PL/pgSQL that finds queues i_lo..i_hi (positions in the sorted arrays) in a
-- generated writer and runs i_statement (a format() string, %1$s the quoted data table)
-- for the current table: a binary search on the queue id, so a send tests about
-- log2(queues) + 3 conditions. Each condition a PL/pgSQL function evaluates costs about
-- half a microsecond in every new transaction (its expression is set up again), so a
-- linear CASE over all queues would soon cost more than the dynamic SQL it replaces.
-- Owner only.
CREATE OR REPLACE FUNCTION pgque.event_writer_branch(i_ids int4[], i_pfxs text[], i_ntables int4[], i_lo int,
		i_hi int, i_statement text)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v_mid int;
	v_code text;
BEGIN
	IF i_lo < i_hi THEN
		v_mid := (i_lo + i_hi + 1) / 2;
		RETURN 'IF v_queue_id < ' || i_ids[v_mid] || E' THEN\n'
			|| pgque.event_writer_branch(i_ids, i_pfxs, i_ntables, i_lo, v_mid - 1, i_statement) || E'ELSE\n'
			|| pgque.event_writer_branch(i_ids, i_pfxs, i_ntables, v_mid, i_hi, i_statement) || E'END IF;\n';
	END IF;
	v_code := 'IF v_queue_id = ' || i_ids[i_lo] || ' AND v_data_pfx = ' || pg_catalog.quote_literal(i_pfxs[i_lo])
		|| E' THEN\n';
	FOR n IN 0 .. i_ntables[i_lo] - 1 LOOP
		-- Quoted: the prefix is a column admins can write, and it is pasted into SQL here.
		v_code := v_code || CASE WHEN n = 0 THEN 'IF' ELSE 'ELSIF' END || ' v_table = ' || n || E' THEN\n'
			|| pg_catalog.format(i_statement, pgque.quote_fqname(i_pfxs[i_lo] || '_' || n));
	END LOOP;
	RETURN v_code || E'END IF;\nEND IF;\n';
END;
$$;

--changeset pgque:event_writer_function runOnChange:true splitStatements:false stripComments:false
-- The CREATE statement of one generated writer: take the xid, read the queue row (one
-- static statement whose plan PL/pgSQL caches; i_refused, an expression over it and the
-- arguments, says whether this event must take the slow path), then the static branches,
-- and the slow path for whatever they do not cover. The xid comes first for the reason
-- given at current_event_target. Owner only.
CREATE OR REPLACE FUNCTION pgque.event_writer_function(i_signature text, i_returns text, i_refused text,
		i_branches text, i_slow_path text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT 'CREATE OR REPLACE FUNCTION pgque.' || i_signature || E'\nRETURNS ' || i_returns || ' LANGUAGE plpgsql AS '
		|| pg_catalog.quote_literal(E'\n-- Generated by pgque.rebuild_event_writer(); do not edit.\nDECLARE\n'
			|| E'\tv_xid xid8;\n\tv_queue_id int4;\n\tv_data_pfx text;\n\tv_table int4;\n\tv_refused boolean;\n'
			|| E'\tv_id ' || i_returns || E';\nBEGIN\n'
			|| E'v_xid := pg_catalog.pg_current_xact_id();\n'
			|| E'SELECT q.queue_id, q.queue_data_pfx, q.queue_cur_table, ' || i_refused || E'\n'
			|| E'INTO v_queue_id, v_data_pfx, v_table, v_refused\n'
			|| E'FROM pgque.queue q WHERE q.queue_name = $1;\n'
			|| E'IF v_refused IS NOT FALSE THEN\nRETURN ' || i_slow_path || E';\nEND IF;\n'
			|| i_branches
			|| 'RETURN ' || i_slow_path || E';\nEND;\n')
$$;

--changeset pgque:rebuild_event_writer runOnChange:true splitStatements:false stripComments:false
-- send's and send_batch's inserts, generated. A queue's current table changes with
-- rotation, so a generic writer must build its INSERT as text and EXECUTE it, which
-- parses and plans it on every call (about 20 us of a send). This writes two functions
-- instead, each one PL/pgSQL function with one static INSERT per data table of every
-- queue, found by queue id (event_writer_branch) and table number, whose plans PL/pgSQL
-- caches per session, ids from the column default (the queue's sequence, bound by oid):
-- - insert_event_one(queue, type, data), behind every send overload;
-- - insert_event_bulk(queue, type, data[], extra4), behind every send_batch overload: one
--   INSERT for the whole array, no loop, no sort. Rows go in in array order (a scan of
--   unnest yields its elements in order, and nothing between reorders them), so the ids
--   the column default draws rise with the array position, and sorting the returned ids
--   restores that order; a NULL element gives a NULL ev_data; ev_extra4 (the trace
--   context of a traced batch) is the same for every event, or NULL.
-- One function each rather than a lookup calling a generated writer: each PL/pgSQL call
-- and statement costs again in every transaction, and a send is usually one per
-- transaction (an outbox write). Everything else - an unknown, disabled or refusing queue,
-- one the generated code does not know (created while another transaction rebuilt it,
-- say, or its data prefix changed since) - goes to the slow paths _insert_event_dynamic
-- and _insert_event_bulk_dynamic: the generated code only speeds up, it never decides
-- where an event goes or whether it is refused. create_queue and drop_queue rebuild them;
-- the config row lock makes concurrent rebuilds take turns (each then reads the queues
-- committed so far), which also keeps two CREATE OR REPLACE of one function from failing
-- on each other. Owner only, and without a SET clause (a GUC switch per call): the send
-- and send_batch overloads, SECURITY DEFINER with a pinned search_path, are the way in.
CREATE OR REPLACE FUNCTION pgque.rebuild_event_writer()
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_ids int4[];
	v_pfxs text[];
	v_ntables int4[];
	v_one text := '';
	v_bulk text := '';
BEGIN
	PERFORM 1 FROM pgque.config FOR UPDATE;
	SELECT pg_catalog.array_agg(q.queue_id ORDER BY q.queue_id), pg_catalog.array_agg(q.queue_data_pfx ORDER BY q.queue_id),
		pg_catalog.array_agg(q.queue_ntables ORDER BY q.queue_id)
	INTO v_ids, v_pfxs, v_ntables
	FROM pgque.queue q;
	IF v_ids IS NOT NULL THEN
		v_one := pgque.event_writer_branch(v_ids, v_pfxs, v_ntables, 1, pg_catalog.cardinality(v_ids),
			E'INSERT INTO %1$s (ev_time, ev_type, ev_data) VALUES (pg_catalog.now(), $2, $3) RETURNING ev_id INTO v_id;\n'
			|| E'RETURN v_id;\n');
		v_bulk := pgque.event_writer_branch(v_ids, v_pfxs, v_ntables, 1, pg_catalog.cardinality(v_ids),
			E'WITH inserted AS (INSERT INTO %1$s (ev_time, ev_type, ev_data, ev_extra4)\n'
			|| E'\tSELECT pg_catalog.now(), $2, d.data, $4 FROM pg_catalog.unnest($3) AS d (data) RETURNING ev_id)\n'
			|| E'SELECT coalesce(pg_catalog.array_agg(i.ev_id ORDER BY i.ev_id), ''{}'') INTO v_id FROM inserted i;\n'
			|| E'RETURN v_id;\n');
	END IF;
	-- A NULL (no such queue, a NULL payload or type) takes the slow path too, which says why.
	EXECUTE pgque.event_writer_function('insert_event_one(queue_name text, ev_type text, ev_data text)', 'bigint',
		E'q.queue_disable_insert\n\tOR pg_catalog.octet_length($3) > pgque.max_payload_bytes()\n'
		|| E'\tOR pg_catalog.octet_length($2) > pgque.max_type_bytes()',
		v_one, 'pgque._insert_event_dynamic($1, $2, $3)');
	-- octet_length reads the stored size; it does not detoast or scan the text
	EXECUTE pgque.event_writer_function(
		'insert_event_bulk(queue_name text, ev_type text, ev_data_list text[], ev_extra4 text)', 'bigint[]',
		E'q.queue_disable_insert OR $3 IS NULL\n\tOR pg_catalog.octet_length($2) > pgque.max_type_bytes()\n'
		|| E'\tOR EXISTS (SELECT FROM pg_catalog.unnest($3) AS d (data)\n'
		|| E'\t\tWHERE pg_catalog.octet_length(d.data) > pgque.max_payload_bytes())',
		v_bulk, 'pgque._insert_event_bulk_dynamic($1, $2, $3, $4)');
	-- A function is created executable by PUBLIC; these are for their owner's functions only.
	REVOKE ALL ON FUNCTION pgque.insert_event_one(text, text, text) FROM PUBLIC;
	REVOKE ALL ON FUNCTION pgque.insert_event_bulk(text, text, text[], text) FROM PUBLIC;
END;
$$;

--changeset pgque:event_writer runAlways:true runOnChange:true splitStatements:false stripComments:false
-- Written at every install and upgrade, so it follows changes to its generator and
-- covers queues that existed before it.
SELECT pgque.rebuild_event_writer();

--changeset pgque:insert_event_static-dropped runOnChange:true splitStatements:false stripComments:false
-- The generated writer of earlier versions, called by a hand-written insert_event_one; the
-- two are one generated function now.
DROP FUNCTION IF EXISTS pgque.insert_event_static(int4, text, int4, text, text);

--changeset pgque:insert_event_raw runOnChange:true splitStatements:false stripComments:false
-- Appends one row to the queue's current data table; ev_txid takes the inserting
-- transaction's xid by default, which is what batch membership is decided on. The
-- lookup is inlined (as in _insert_event_dynamic) rather than a call to current_event_target:
-- one PL/pgSQL call less per event, the xid still taken first. A new event (no ev_id)
-- is held to the limits; a re-inserted one (retry passes the event's own id) is not, so
-- that lowering a limit never strands events already accepted.
CREATE OR REPLACE FUNCTION pgque.insert_event_raw(queue_name text, ev_id bigint, ev_time timestamptz,
		ev_owner int4, ev_retry int4, ev_type text, ev_data text, ev_extra1 text, ev_extra2 text,
		ev_extra3 text, ev_extra4 text)
RETURNS bigint LANGUAGE plpgsql AS $$
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
RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT pgque.insert_event_raw($1, NULL, now(), NULL, NULL, $2, $3, $4, $5, $6, $7)
$$;

--changeset pgque:insert_event/3 runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.insert_event(queue_name text, ev_type text, ev_data text)
RETURNS bigint LANGUAGE sql AS $$
	SELECT pgque.insert_event($1, $2, $3, NULL, NULL, NULL, NULL)
$$;

--changeset pgque:current_event_table runOnChange:true splitStatements:false stripComments:false
-- For bulk loading with COPY; the name is valid only until the next rotation. The
-- caller COPYs into it in this transaction, whose xid current_event_target fixes first.
CREATE OR REPLACE FUNCTION pgque.current_event_table(x_queue_name text)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pgque.queue WHERE queue_name = x_queue_name) THEN
		RAISE EXCEPTION 'event queue not found: %', x_queue_name;
	END IF;
	RETURN (pgque.current_event_target(x_queue_name)).data_table;
END;
$$;
