--liquibase formatted sql

-- The engine's tables and sequences. Each runs once; later changes to a
-- table need a new changeset, never an edit of these.
--
-- Each is skipped (marked ran) when its table already exists: a PgQue install made with
-- psql has no Liquibase history, and the starter adopts it as it is, rows included.
-- The adopt-* changesets at the end then add what older installs lack.

--changeset pgque:schema
CREATE SCHEMA IF NOT EXISTS pgque;

--changeset pgque:table-queue
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass('pgque.queue')
-- One row per queue. The switch_step columns hold xids as bigint (xid8 widened), so
-- rotation can compare them with snapshot bounds (§1 "Rotating tables").
CREATE TABLE pgque.queue (
	queue_id serial PRIMARY KEY,
	queue_name text NOT NULL UNIQUE,
	queue_ntables int4 NOT NULL DEFAULT 3,
	queue_cur_table int4 NOT NULL DEFAULT 0,
	queue_rotation_period interval NOT NULL DEFAULT '2 hours',
	queue_switch_step1 bigint NOT NULL DEFAULT (pg_catalog.pg_current_xact_id()::text)::bigint,
	queue_switch_step2 bigint DEFAULT (pg_catalog.pg_current_xact_id()::text)::bigint,
	queue_switch_time timestamptz NOT NULL DEFAULT now(),
	queue_external_ticker boolean NOT NULL DEFAULT false,
	queue_disable_insert boolean NOT NULL DEFAULT false,
	queue_ticker_paused boolean NOT NULL DEFAULT false,
	queue_ticker_max_count int4 NOT NULL DEFAULT 500,
	queue_ticker_max_lag interval NOT NULL DEFAULT '3 seconds',
	queue_ticker_idle_period interval NOT NULL DEFAULT '1 minute',
	queue_data_pfx text NOT NULL,
	queue_event_seq text NOT NULL,
	queue_tick_seq text NOT NULL,
	queue_extra_maint text[],
	queue_max_retries int4
);

--changeset pgque:table-consumer
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass('pgque.consumer')
CREATE TABLE pgque.consumer (
	co_id serial PRIMARY KEY,
	co_name text NOT NULL UNIQUE
);

--changeset pgque:table-subscription
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass('pgque.subscription')
-- sub_id is deliberately not unique: cooperative members share their main's id.
-- sub_batch is unique, so one batch id belongs to at most one subscription.
CREATE TABLE pgque.subscription (
	sub_id serial NOT NULL,
	sub_queue int4 NOT NULL REFERENCES pgque.queue (queue_id),
	sub_consumer int4 NOT NULL REFERENCES pgque.consumer (co_id),
	sub_last_tick bigint,
	sub_active timestamptz NOT NULL DEFAULT now(),
	sub_batch bigint UNIQUE,
	sub_next_tick bigint,
	sub_role text NOT NULL DEFAULT 'normal' CHECK (sub_role IN ('normal', 'coop_main', 'coop_member')),
	PRIMARY KEY (sub_queue, sub_consumer)
);

--changeset pgque:table-tick
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass('pgque.tick')
CREATE TABLE pgque.tick (
	tick_queue int4 NOT NULL REFERENCES pgque.queue (queue_id),
	tick_id bigint NOT NULL,
	tick_time timestamptz NOT NULL DEFAULT now(),
	tick_snapshot pg_snapshot NOT NULL DEFAULT pg_catalog.pg_current_snapshot(),
	tick_event_seq bigint NOT NULL,
	PRIMARY KEY (tick_queue, tick_id)
);

--changeset pgque:sequence-batch_id_seq
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass('pgque.batch_id_seq')
CREATE SEQUENCE pgque.batch_id_seq;

--changeset pgque:table-event_template
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass('pgque.event_template')
-- The parent of every queue's data tables; holds no rows itself. ev_time has no
-- default on purpose: inserts always give it.
CREATE TABLE pgque.event_template (
	ev_id bigint NOT NULL,
	ev_time timestamptz NOT NULL,
	ev_txid xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
	ev_owner int4,
	ev_retry int4,
	ev_type text,
	ev_data text,
	ev_extra1 text,
	ev_extra2 text,
	ev_extra3 text,
	ev_extra4 text
);

--changeset pgque:table-retry_queue
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass('pgque.retry_queue')
CREATE TABLE pgque.retry_queue (
	ev_retry_after timestamptz NOT NULL,
	ev_queue int4 NOT NULL REFERENCES pgque.queue (queue_id),
	ev_id bigint NOT NULL,
	ev_time timestamptz NOT NULL,
	ev_txid xid8,
	ev_owner int4 NOT NULL,
	ev_retry int4,
	ev_type text,
	ev_data text,
	ev_extra1 text,
	ev_extra2 text,
	ev_extra3 text,
	ev_extra4 text,
	PRIMARY KEY (ev_owner, ev_id)
);
CREATE INDEX rq_retry_idx ON pgque.retry_queue (ev_retry_after);

--changeset pgque:table-dead_letter
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass('pgque.dead_letter')
CREATE TABLE pgque.dead_letter (
	dl_id bigserial PRIMARY KEY,
	dl_queue_id int4 NOT NULL REFERENCES pgque.queue (queue_id) ON DELETE CASCADE,
	dl_consumer_id int4 NOT NULL REFERENCES pgque.consumer (co_id) ON DELETE CASCADE,
	dl_time timestamptz NOT NULL DEFAULT now(),
	dl_reason text,
	ev_id bigint NOT NULL,
	ev_time timestamptz NOT NULL,
	ev_txid xid8,
	ev_retry int4,
	ev_type text,
	ev_data text,
	ev_extra1 text,
	ev_extra2 text,
	ev_extra3 text,
	ev_extra4 text
);
CREATE INDEX dead_letter_queue_time_idx ON pgque.dead_letter (dl_queue_id, dl_time);
CREATE UNIQUE INDEX dead_letter_queue_consumer_event_idx ON pgque.dead_letter (dl_queue_id, dl_consumer_id, ev_id);

--changeset pgque:table-config
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass('pgque.config')
-- Exactly one row: the primary key on a constant-true column refuses a second one.
CREATE TABLE pgque.config (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	ticker_job_id bigint,
	maint_job_id bigint,
	scheduler text CHECK (scheduler IN ('pg_cron', 'pg_timetable')),
	tick_period_ms int NOT NULL DEFAULT 100
		CHECK (tick_period_ms BETWEEN 1 AND 1000 AND 1000 % tick_period_ms = 0),
	installed_at timestamptz DEFAULT clock_timestamp()
);
INSERT INTO pgque.config DEFAULT VALUES;

--changeset pgque:adopt-columns runOnChange:true splitStatements:false stripComments:false
-- Adopting an install made with psql: columns that older PgQue versions lack (0.1 had no
-- sub_role, since cooperative consumers came later). Each is added only where it is
-- missing, so an up-to-date table is not even locked. Adding one takes ACCESS EXCLUSIVE
-- on its table for a moment (constant defaults are not written into the rows), in the
-- contract's lock order: queue before subscription. lock_timeout keeps a long consumer
-- transaction from queueing every other session behind the ALTER: the install then
-- fails, changes nothing, and the next start tries again.
DO $$
BEGIN
	PERFORM pg_catalog.set_config('lock_timeout', '5s', true);
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = 'pgque.queue'::regclass
			AND attname = 'queue_extra_maint' AND NOT attisdropped) THEN
		ALTER TABLE pgque.queue ADD COLUMN queue_extra_maint text[];
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = 'pgque.queue'::regclass
			AND attname = 'queue_max_retries' AND NOT attisdropped) THEN
		ALTER TABLE pgque.queue ADD COLUMN queue_max_retries int4;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = 'pgque.subscription'::regclass
			AND attname = 'sub_role' AND NOT attisdropped) THEN
		ALTER TABLE pgque.subscription ADD COLUMN sub_role text NOT NULL DEFAULT 'normal'
			CHECK (sub_role IN ('normal', 'coop_main', 'coop_member'));
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = 'pgque.config'::regclass
			AND attname = 'tick_period_ms' AND NOT attisdropped) THEN
		ALTER TABLE pgque.config ADD COLUMN tick_period_ms int NOT NULL DEFAULT 100
			CHECK (tick_period_ms BETWEEN 1 AND 1000 AND 1000 % tick_period_ms = 0);
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = 'pgque.config'::regclass
			AND attname = 'installed_at' AND NOT attisdropped) THEN
		ALTER TABLE pgque.config ADD COLUMN installed_at timestamptz DEFAULT pg_catalog.clock_timestamp();
	END IF;
	INSERT INTO pgque.config DEFAULT VALUES ON CONFLICT DO NOTHING;
END
$$;
