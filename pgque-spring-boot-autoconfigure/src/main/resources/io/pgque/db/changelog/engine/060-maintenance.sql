--liquibase formatted sql

-- Table rotation and maintenance.

--changeset pgque:maint_rotate_tables_step1 runOnChange:true splitStatements:false stripComments:false
-- Truncates the oldest data table and makes it current, when the rotation period has
-- passed, the previous rotation is settled (step2 set), and every consumer's cursor
-- tick is younger than that settling. Then no batch anyone can still open needs the
-- table being emptied. Never waits for a table lock. Always returns 0.
CREATE OR REPLACE FUNCTION pgque.maint_rotate_tables_step1(i_queue_name text)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	v_queue pgque.queue%ROWTYPE;
	v_xid bigint;
	v_lowest_tick bigint;
	v_lowest_xmin bigint;
	v_next int4;
	v_table text;
BEGIN
	-- Rechecked after a wait on the row lock, so a concurrent step1 that went first makes
	-- this one find nothing (its step2 is NULL now).
	SELECT * INTO v_queue FROM pgque.queue
	WHERE queue_name = i_queue_name
		AND queue_switch_step2 IS NOT NULL
		AND queue_switch_time + queue_rotation_period < now()
	FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;

	v_xid := (pg_catalog.pg_current_xact_id()::text)::bigint;
	IF v_xid < v_queue.queue_switch_step1 THEN
		RAISE EXCEPTION 'queue %: current xid % is below the last switch %', i_queue_name, v_xid,
			v_queue.queue_switch_step1;
	END IF;

	SELECT min(sub_last_tick) INTO v_lowest_tick FROM pgque.subscription WHERE sub_queue = v_queue.queue_id;
	IF v_lowest_tick IS NOT NULL THEN
		SELECT (pg_catalog.pg_snapshot_xmin(tick_snapshot)::text)::bigint INTO v_lowest_xmin
		FROM pgque.tick WHERE tick_queue = v_queue.queue_id AND tick_id = v_lowest_tick;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'PgQue corruption: queue % has no tick % (a consumer''s cursor)', i_queue_name,
				v_lowest_tick;
		END IF;
		IF v_lowest_xmin <= v_queue.queue_switch_step2 THEN
			-- A consumer may still need events written before the last switch settled.
			RETURN 0;
		END IF;
	END IF;

	v_next := (v_queue.queue_cur_table + 1) % v_queue.queue_ntables;
	v_table := pgque.quote_fqname(v_queue.queue_data_pfx || '_' || v_next);
	BEGIN
		EXECUTE 'LOCK TABLE ' || v_table || ' IN ACCESS EXCLUSIVE MODE NOWAIT';
	EXCEPTION WHEN lock_not_available THEN
		RETURN 0;
	END;
	EXECUTE 'TRUNCATE ' || v_table;

	UPDATE pgque.queue
	SET queue_cur_table = v_next, queue_switch_time = now(), queue_switch_step1 = v_xid,
		queue_switch_step2 = NULL
	WHERE queue_id = v_queue.queue_id;

	-- Ticks older than the previous settled switch can be no one's cursor any more; the
	-- newest tick always stays, so the queue never loses its position.
	DELETE FROM pgque.tick
	WHERE tick_queue = v_queue.queue_id
		AND (pg_catalog.pg_snapshot_xmin(tick_snapshot)::text)::bigint < v_queue.queue_switch_step2
		AND tick_id < (SELECT max(tick_id) FROM pgque.tick WHERE tick_queue = v_queue.queue_id);
	RETURN 0;
END;
$$;

--changeset pgque:maint_rotate_tables_step2 runOnChange:true splitStatements:false stripComments:false
-- Settles the rotations step1 did, in a later transaction: every transaction with an
-- xid above this one writes only to the new current table.
CREATE OR REPLACE FUNCTION pgque.maint_rotate_tables_step2()
RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
	UPDATE pgque.queue SET queue_switch_step2 = (pg_catalog.pg_current_xact_id()::text)::bigint
	WHERE queue_switch_step2 IS NULL;
	RETURN 0;
END;
$$;

--changeset pgque:maint_tables_to_vacuum runOnChange:true splitStatements:false stripComments:false
-- Only when autovacuum is off: the core tables that churn, and legacy PgQ ones if any.
CREATE OR REPLACE FUNCTION pgque.maint_tables_to_vacuum()
RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
	IF pg_catalog.current_setting('autovacuum')::boolean THEN
		RETURN;
	END IF;
	RETURN QUERY
	SELECT n.nspname || '.' || c.relname
	FROM (VALUES (1, 'pgque', 'subscription'), (2, 'pgque', 'consumer'), (3, 'pgque', 'queue'),
		(4, 'pgque', 'tick'), (5, 'pgque', 'retry_queue'), (6, 'pgq_ext', 'completed_tick'),
		(7, 'pgq_ext', 'completed_batch'), (8, 'pgq_ext', 'completed_event'), (9, 'pgq_ext', 'partial_batch'),
		(10, 'pgq_node', 'local_state'), (11, 'pgq_node', 'subscriber_info')) t (ord, nsp, rel)
	JOIN pg_catalog.pg_namespace n ON n.nspname = t.nsp
	JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = t.rel
	ORDER BY t.ord;
END;
$$;

--changeset pgque:maint_operations runOnChange:true splitStatements:false stripComments:false
-- What maint() (or an external scheduler) should run, in order.
CREATE OR REPLACE FUNCTION pgque.maint_operations(OUT func_name text, OUT func_arg text)
RETURNS SETOF record LANGUAGE plpgsql AS $$
DECLARE
	v_rotating integer;
BEGIN
	RETURN QUERY
	SELECT 'pgque.maint_rotate_tables_step1'::text, q.queue_name
	FROM pgque.queue q
	WHERE q.queue_switch_step2 IS NOT NULL AND q.queue_switch_time + q.queue_rotation_period < now()
	ORDER BY q.queue_name;
	GET DIAGNOSTICS v_rotating = ROW_COUNT;

	IF v_rotating > 0 OR EXISTS (SELECT 1 FROM pgque.queue WHERE queue_switch_step2 IS NULL) THEN
		RETURN QUERY SELECT 'pgque.maint_rotate_tables_step2'::text, NULL::text;
	END IF;

	RETURN QUERY
	SELECT m.fn, q.queue_name
	FROM pgque.queue q
	CROSS JOIN LATERAL pg_catalog.unnest(q.queue_extra_maint) WITH ORDINALITY m (fn, ord)
	ORDER BY q.queue_name, m.ord;

	RETURN QUERY SELECT 'vacuum'::text, t FROM pgque.maint_tables_to_vacuum() t;
END;
$$;

--changeset pgque:maint runOnChange:true splitStatements:false stripComments:false
-- Runs the per-queue maintenance functions. Only functions owned by maint()'s own owner
-- run: queue_extra_maint is data, and this is SECURITY DEFINER, so a function planted by
-- another role must never execute with our rights. Does not move retries.
CREATE OR REPLACE FUNCTION pgque.maint()
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_op record;
	v_owner oid;
	v_fn record;
	v_result integer;
	v_total integer := 0;
BEGIN
	SELECT proowner INTO v_owner FROM pg_catalog.pg_proc WHERE oid = 'pgque.maint()'::regprocedure;
	FOR v_op IN
		SELECT o.func_name, o.func_arg FROM pgque.maint_operations() o
		WHERE o.func_name NOT IN ('pgque.maint_rotate_tables_step2', 'vacuum')
	LOOP
		SELECT p.oid, p.proowner, n.nspname, p.proname INTO v_fn
		FROM pg_catalog.pg_proc p
		JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
		WHERE p.oid = pg_catalog.to_regprocedure(v_op.func_name || '(text)');
		IF NOT FOUND THEN
			RAISE WARNING 'maint: skipping %(text) for queue %: no such function', v_op.func_name, v_op.func_arg;
			CONTINUE;
		END IF;
		IF v_fn.proowner <> v_owner THEN
			RAISE WARNING 'maint: skipping %(text) for queue %: not owned by the owner of pgque.maint()',
				v_op.func_name, v_op.func_arg;
			CONTINUE;
		END IF;
		EXECUTE pg_catalog.format('SELECT %I.%I($1)', v_fn.nspname, v_fn.proname) INTO v_result
			USING v_op.func_arg;
		v_total := v_total + coalesce(v_result, 0);
	END LOOP;
	RETURN v_total;
END;
$$;
