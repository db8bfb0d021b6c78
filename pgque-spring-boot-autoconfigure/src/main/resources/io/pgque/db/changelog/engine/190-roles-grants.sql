--liquibase formatted sql

-- Roles and privileges; docs/sql-api.md lists what each role may do. These changesets
-- run on every update, last, so they also cover functions and tables added by the
-- earlier ones (and by later versions), and every one of them is safe to repeat.
--
-- An installer that may not create roles (no CREATEROLE) on a server where they do not
-- exist yet still installs: it gets a WARNING, and grants go only to roles that exist.
-- That is never more permissive: PUBLIC loses its privileges regardless. Re-run the
-- install once the roles exist to grant them.

--changeset pgque:roles runAlways:true runOnChange:true splitStatements:false stripComments:false
-- Roles are cluster-wide: another database on this server may have created them
-- already, or be creating them right now (the loser of that race gets a
-- unique_violation on pg_authid, which is as good as "exists").
DO $$
DECLARE
	v_role text;
BEGIN
	FOREACH v_role IN ARRAY ARRAY['pgque_reader', 'pgque_writer', 'pgque_admin'] LOOP
		IF pg_catalog.to_regrole(v_role) IS NULL THEN
			BEGIN
				EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', v_role);
			EXCEPTION
				WHEN duplicate_object OR unique_violation THEN
					NULL;
				WHEN insufficient_privilege THEN
					RAISE WARNING 'pgque: cannot create role % (%); create it with a role that has CREATEROLE, then install again',
						v_role, SQLERRM;
			END;
		END IF;
	END LOOP;
END
$$;

--changeset pgque:role-memberships runAlways:true runOnChange:true splitStatements:false stripComments:false
-- admin is a member of both reader and writer; reader and writer are siblings, so a
-- leftover writer-in-reader membership is revoked. Only missing grants are made, so a
-- re-run (or a second database) adds no duplicate grant records.
DO $$
BEGIN
	IF pg_catalog.to_regrole('pgque_reader') IS NULL OR pg_catalog.to_regrole('pgque_writer') IS NULL
			OR pg_catalog.to_regrole('pgque_admin') IS NULL THEN
		RETURN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members
			WHERE roleid = 'pgque_reader'::regrole AND member = 'pgque_admin'::regrole) THEN
		GRANT pgque_reader TO pgque_admin;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members
			WHERE roleid = 'pgque_writer'::regrole AND member = 'pgque_admin'::regrole) THEN
		GRANT pgque_writer TO pgque_admin;
	END IF;
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members
			WHERE roleid = 'pgque_reader'::regrole AND member = 'pgque_writer'::regrole) THEN
		REVOKE pgque_reader FROM pgque_writer;
	END IF;
END
$$;

--changeset pgque:grants-schema runAlways:true runOnChange:true splitStatements:false stripComments:false
-- Only the owner may CREATE in pgque: the security-definer functions search it before
-- pg_catalog, so any object planted there would run with the owner's rights. The
-- admin's own extra-maintenance functions are created by the owner and listed in
-- queue_extra_maint (maint() runs only functions of its own owner). Earlier versions
-- granted the admin ALL, so CREATE is revoked from every role explicitly.
DO $$
DECLARE
	v_role text;
BEGIN
	REVOKE CREATE ON SCHEMA pgque FROM PUBLIC;
	GRANT USAGE ON SCHEMA pgque TO PUBLIC;
	FOR v_role IN SELECT r FROM pg_catalog.unnest(ARRAY['pgque_reader', 'pgque_writer', 'pgque_admin']) r
			WHERE pg_catalog.to_regrole(r) IS NOT NULL LOOP
		EXECUTE pg_catalog.format('REVOKE CREATE ON SCHEMA pgque FROM %I', v_role);
		EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA pgque TO %I', v_role);
	END LOOP;
END
$$;

--changeset pgque:grants-tables runAlways:true runOnChange:true splitStatements:false stripComments:false
-- Payloads are not for everyone: PUBLIC gets no table at all (upstream let it read the
-- event template, i.e. every payload). The reader may SELECT every table, data tables
-- included, because get_batch_events runs with the caller's rights. Data tables of new
-- queues copy the template's grants (create_queue -> grant_perms). The Liquibase
-- changelog tables are the installer's business alone.
DO $$
DECLARE
	v_table regclass;
	v_role text;
BEGIN
	REVOKE ALL ON ALL TABLES IN SCHEMA pgque FROM PUBLIC;
	-- Earlier versions let PUBLIC read every queue's sequences.
	REVOKE ALL ON ALL SEQUENCES IN SCHEMA pgque FROM PUBLIC;
	IF pg_catalog.to_regrole('pgque_reader') IS NOT NULL THEN
		GRANT SELECT ON ALL TABLES IN SCHEMA pgque TO pgque_reader;
	END IF;
	IF pg_catalog.to_regrole('pgque_admin') IS NOT NULL THEN
		GRANT ALL ON ALL TABLES IN SCHEMA pgque TO pgque_admin;
		GRANT ALL ON ALL SEQUENCES IN SCHEMA pgque TO pgque_admin;
	END IF;
	-- Idempotency keys are the send functions' business alone (extended contract §C.1).
	FOREACH v_table IN ARRAY ARRAY[pg_catalog.to_regclass('pgque.pgque_databasechangelog'),
			pg_catalog.to_regclass('pgque.pgque_databasechangeloglock'), pg_catalog.to_regclass('pgque.idem'),
			pg_catalog.to_regclass('pgque.partition_epoch')] LOOP
		IF v_table IS NOT NULL THEN
			EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', v_table);
			FOR v_role IN SELECT r FROM pg_catalog.unnest(ARRAY['pgque_reader', 'pgque_writer', 'pgque_admin']) r
					WHERE pg_catalog.to_regrole(r) IS NOT NULL LOOP
				EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM %I', v_table, v_role);
			END LOOP;
		END IF;
	END LOOP;
	-- Partition pins and slot leases: only their functions write them, the admin may look
	-- (extended contract §B.2); readers see them through partition_slot_status.
	FOREACH v_table IN ARRAY ARRAY[pg_catalog.to_regclass('pgque.partition_consumer'),
			pg_catalog.to_regclass('pgque.partition_slot'), pg_catalog.to_regclass('pgque.partition_worker')] LOOP
		IF v_table IS NOT NULL THEN
			EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', v_table);
			FOR v_role IN SELECT r FROM pg_catalog.unnest(ARRAY['pgque_reader', 'pgque_writer', 'pgque_admin']) r
					WHERE pg_catalog.to_regrole(r) IS NOT NULL LOOP
				EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM %I', v_table, v_role);
			END LOOP;
			IF pg_catalog.to_regrole('pgque_admin') IS NOT NULL THEN
				EXECUTE pg_catalog.format('GRANT SELECT ON %s TO pgque_admin', v_table);
			END IF;
		END IF;
	END LOOP;
	IF pg_catalog.to_regclass('pgque.partition_slot_status') IS NOT NULL AND pg_catalog.to_regrole('pgque_admin') IS NOT NULL THEN
		REVOKE ALL ON pgque.partition_slot_status FROM pgque_admin;
		GRANT SELECT ON pgque.partition_slot_status TO pgque_admin;
	END IF;
END
$$;

--changeset pgque:grants-functions runAlways:true runOnChange:true splitStatements:false stripComments:false
-- EXECUTE by role, decided by name so that it covers every overload and every
-- function added later: PUBLIC gets nothing (functions and procedures alike), the
-- reader the consuming side, the writer the publishing side, the admin (a member of
-- both) everything else, except the owner-only functions. Rebuilt from scratch in one
-- transaction, so a function moved to another role loses its old grant.
-- batch_event_sql and batch_event_tables go to the reader too: get_batch_events runs
-- with the caller's rights and calls them (and they call batch_window and quote_fqname).
DO $$
DECLARE
	v_routine record;
	v_role text;
BEGIN
	REVOKE ALL ON ALL ROUTINES IN SCHEMA pgque FROM PUBLIC;
	FOR v_role IN SELECT r FROM pg_catalog.unnest(ARRAY['pgque_reader', 'pgque_writer', 'pgque_admin']) r
			WHERE pg_catalog.to_regrole(r) IS NOT NULL LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON ALL ROUTINES IN SCHEMA pgque FROM %I', v_role);
	END LOOP;
	FOR v_routine IN
		SELECT p.oid::regprocedure AS signature, p.proname, p.prokind
		FROM pg_catalog.pg_proc p
		WHERE p.pronamespace = 'pgque'::regnamespace
	LOOP
		v_role := CASE
			WHEN v_routine.proname IN ('uninstall', 'insert_event_bulk', 'insert_event_one', 'refuse_over_limit', '_timetable_distrust',
					'send_idem_core', 'send_at_core', 'deliver_delayed') THEN NULL
			-- send's and send_batch's generated inserts (listed above), their slow paths and their generator
			WHEN v_routine.proname IN ('_insert_event_dynamic', '_insert_event_bulk_dynamic', 'rebuild_event_writer',
					'event_writer_branch', 'event_writer_function') THEN NULL
			-- the cooperative consumers' internal helpers: only their SECURITY DEFINER callers use them
			WHEN v_routine.proname IN ('_validate_coop_names', '_clear_member_cursor', '_coop_lock_consumer',
					'_coop_demote_if_memberless') THEN NULL
			-- the choice of a batch's end tick: only next_batch_custom (both forms) makes it
			WHEN v_routine.proname = 'batch_end_tick' THEN NULL
			-- the partition keys' internal helpers, and nack's shared body
			WHEN v_routine.proname IN ('_slot_name', '_slot_of', '_slot_validate', '_partition_pin', '_slot_add',
					'_slot_keep_epochs', '_slot_pin_of', '_slot_check_range', '_slot_check_worker', '_slot_guard',
					'_slot_batch',
					'_nack_batch_event', '_batch_messages', '_refuse_slot_batch',
					'_retry_batch_events', '_retry_time') THEN NULL
			WHEN v_routine.proname IN ('register_consumer', 'register_consumer_at', 'unregister_consumer',
					'subscribe', 'unsubscribe', 'next_batch', 'next_batch_info', 'next_batch_custom',
					'get_batch_events', 'get_batch_event', 'batch_event_sql', 'batch_event_tables', 'batch_window', 'quote_fqname', 'finish_batch',
					'event_retry',
					'receive', 'ack', 'nack', 'get_queue_info', 'get_consumer_info', 'get_batch_info', 'version',
					'dlq_inspect', 'register_subconsumer', 'unregister_subconsumer', 'subscribe_subconsumer',
					'unsubscribe_subconsumer', 'receive_coop', 'touch_subconsumer',
					'lease_acquire', 'lease_renew', 'lease_release', 'lease_check', 'next_batch_leased',
					'finish_batch_leased',
					'subscribe_slot', 'subscribe_slots', 'unsubscribe_slot', 'claim_slot', 'release_slot',
					'receive_partitioned', 'ack_partitioned', 'nack_partitioned', 'slot_worker_beat',
					'slot_worker_leave', 'renew_slots') THEN 'pgque_reader'
			WHEN v_routine.proname IN ('insert_event', 'send', 'send_batch', 'dlq_replay', 'dlq_replay_all',
					'send_idem', 'send_at')
				THEN 'pgque_writer'
			ELSE 'pgque_admin'
		END;
		IF pg_catalog.to_regrole(v_role) IS NOT NULL THEN
			EXECUTE pg_catalog.format('GRANT EXECUTE ON %s %s TO %I',
				CASE v_routine.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, v_routine.signature, v_role);
		END IF;
	END LOOP;
END
$$;
