--liquibase formatted sql

-- Small helpers. All admin-only.

--changeset pgque:quote_fqname runOnChange:true splitStatements:false stripComments:false
-- Quotes 'schema.name'; a name without a dot is taken to be in public. Not STRICT, so
-- that the planner inlines it into the calling statement (NULL still gives NULL): a
-- STRICT SQL function whose body is not strict is called through the SQL-function
-- executor instead, which plans its body on every call (about 20 us a send).
CREATE OR REPLACE FUNCTION pgque.quote_fqname(i_name text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN pg_catalog.strpos(i_name, '.') > 0 THEN
			pg_catalog.quote_ident(pg_catalog.split_part(i_name, '.', 1)) || '.'
				|| pg_catalog.quote_ident(pg_catalog.substr(i_name, pg_catalog.strpos(i_name, '.') + 1))
		ELSE 'public.' || pg_catalog.quote_ident(i_name)
	END
$$;

--changeset pgque:seq_getval runOnChange:true splitStatements:false stripComments:false
-- The stored last_value, ignoring is_called: a fresh sequence reports its start value.
CREATE OR REPLACE FUNCTION pgque.seq_getval(i_seq_name text)
RETURNS bigint LANGUAGE plpgsql STRICT AS $$
DECLARE
	v_value bigint;
BEGIN
	EXECUTE 'SELECT last_value FROM ' || pgque.quote_fqname(i_seq_name) INTO v_value;
	RETURN v_value;
END;
$$;

--changeset pgque:seq_setval runOnChange:true splitStatements:false stripComments:false
-- Moves a sequence forward only; returns the value it ends at.
CREATE OR REPLACE FUNCTION pgque.seq_setval(i_seq_name text, i_new_value int8)
RETURNS bigint LANGUAGE plpgsql STRICT AS $$
DECLARE
	v_current bigint := pgque.seq_getval(i_seq_name);
BEGIN
	IF v_current >= i_new_value THEN
		RETURN v_current;
	END IF;
	PERFORM pg_catalog.setval(pgque.quote_fqname(i_seq_name)::regclass, i_new_value);
	RETURN i_new_value;
END;
$$;

--changeset pgque:_grant_perms_from runOnChange:true splitStatements:false stripComments:false
-- Copies the grants of one table onto another (a queue's data tables copy the
-- template's), one GRANT per grantee. Returns the number of GRANT statements run.
CREATE OR REPLACE FUNCTION pgque._grant_perms_from(src_schema text, src_table text, dst_schema text, dst_table text)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	v_grant record;
	v_count integer := 0;
BEGIN
	FOR v_grant IN
		SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END AS grantee,
			pg_catalog.string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) AS privileges
		FROM pg_catalog.pg_class c
		CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
		LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
		WHERE c.oid = (pg_catalog.quote_ident(src_schema) || '.' || pg_catalog.quote_ident(src_table))::regclass
			AND a.grantee <> c.relowner
		GROUP BY 1
	LOOP
		EXECUTE 'GRANT ' || v_grant.privileges || ' ON ' || pg_catalog.quote_ident(dst_schema) || '.'
			|| pg_catalog.quote_ident(dst_table) || ' TO ' || v_grant.grantee;
		v_count := v_count + 1;
	END LOOP;
	RETURN v_count;
END;
$$;

--changeset pgque:grant_perms runOnChange:true splitStatements:false stripComments:false
-- Grants on a queue's own objects: data tables as the template, sequences usable by
-- pgque_admin only (when that role exists); PUBLIC reads nothing in the schema.
CREATE OR REPLACE FUNCTION pgque.grant_perms(x_queue_name text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_queue pgque.queue%ROWTYPE;
	v_table text;
	v_seq text;
BEGIN
	SELECT * INTO v_queue FROM pgque.queue WHERE queue_name = x_queue_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'queue not found: %', x_queue_name;
	END IF;
	FOR v_table IN
		SELECT pg_catalog.split_part(v_queue.queue_data_pfx, '.', 2)
		UNION ALL
		SELECT pg_catalog.split_part(v_queue.queue_data_pfx, '.', 2) || '_' || n
		FROM pg_catalog.generate_series(0, v_queue.queue_ntables - 1) n
	LOOP
		PERFORM pgque._grant_perms_from('pgque', 'event_template', 'pgque', v_table);
	END LOOP;
	FOREACH v_seq IN ARRAY ARRAY[v_queue.queue_event_seq, v_queue.queue_tick_seq] LOOP
		EXECUTE 'REVOKE ALL ON ' || pgque.quote_fqname(v_seq) || ' FROM PUBLIC';
		IF pg_catalog.to_regrole('pgque_admin') IS NOT NULL THEN
			EXECUTE 'GRANT ALL ON ' || pgque.quote_fqname(v_seq) || ' TO pgque_admin';
		END IF;
	END LOOP;
	RETURN 1;
END;
$$;

--changeset pgque:tune_storage runOnChange:true splitStatements:false stripComments:false
-- Data tables are filled once and truncated by rotation, never updated or deleted from,
-- so they need no free space per page and no autovacuum.
CREATE OR REPLACE FUNCTION pgque.tune_storage(i_queue_name text)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	v_table text;
	v_count integer := 0;
BEGIN
	FOR v_table IN
		SELECT q.queue_data_pfx || '_' || n
		FROM pgque.queue q
		CROSS JOIN LATERAL pg_catalog.generate_series(0, q.queue_ntables - 1) n
		WHERE q.queue_name = i_queue_name
	LOOP
		EXECUTE 'ALTER TABLE ' || pgque.quote_fqname(v_table)
			|| ' SET (fillfactor = 100, autovacuum_enabled = off, toast.autovacuum_enabled = off)';
		v_count := v_count + 1;
	END LOOP;
	RETURN v_count;
END;
$$;

--changeset pgque:upgrade_schema runOnChange:true splitStatements:false stripComments:false
-- PgQ relic, kept for old callers: brings an old layout up to date. Returns the number
-- of changes made.
CREATE OR REPLACE FUNCTION pgque.upgrade_schema()
RETURNS int4 LANGUAGE plpgsql AS $$
DECLARE
	v_changes int4 := 0;
	v_role text;
BEGIN
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute
			WHERE attrelid = 'pgque.subscription'::regclass AND attname = 'sub_last_tick' AND attnotnull) THEN
		ALTER TABLE pgque.subscription ALTER COLUMN sub_last_tick DROP NOT NULL;
		v_changes := v_changes + 1;
	END IF;
	FOREACH v_role IN ARRAY ARRAY['pgque_reader', 'pgque_writer', 'pgque_admin'] LOOP
		IF pg_catalog.to_regrole(v_role) IS NULL THEN
			EXECUTE 'CREATE ROLE ' || v_role || ' NOLOGIN';
			v_changes := v_changes + 1;
		END IF;
	END LOOP;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute
			WHERE attrelid = 'pgque.queue'::regclass AND attname = 'queue_extra_maint' AND NOT attisdropped) THEN
		ALTER TABLE pgque.queue ADD COLUMN queue_extra_maint text[];
		v_changes := v_changes + 1;
	END IF;
	RETURN v_changes;
END;
$$;
