-- A PgQue 0.2-shaped install as a DBA would have applied it with psql, written for our
-- tests from the contract (sql-contract.md §2, §3.9): no Liquibase history, no marker.
-- Upstream's grants included (PUBLIC may read the core tables).
DO $$
BEGIN
	IF to_regrole('pgque_reader') IS NULL THEN CREATE ROLE pgque_reader NOLOGIN; END IF;
	IF to_regrole('pgque_writer') IS NULL THEN CREATE ROLE pgque_writer NOLOGIN; END IF;
	IF to_regrole('pgque_admin') IS NULL THEN CREATE ROLE pgque_admin NOLOGIN; END IF;
END
$$;
CREATE SCHEMA pgque;
CREATE TABLE pgque.queue (
	queue_id serial PRIMARY KEY,
	queue_name text NOT NULL UNIQUE,
	queue_ntables int4 NOT NULL DEFAULT 3,
	queue_cur_table int4 NOT NULL DEFAULT 0,
	queue_rotation_period interval NOT NULL DEFAULT '2 hours',
	queue_switch_step1 bigint NOT NULL DEFAULT (pg_current_xact_id()::text)::bigint,
	queue_switch_step2 bigint DEFAULT (pg_current_xact_id()::text)::bigint,
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
CREATE TABLE pgque.consumer (co_id serial PRIMARY KEY, co_name text NOT NULL UNIQUE);
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
CREATE TABLE pgque.tick (
	tick_queue int4 NOT NULL REFERENCES pgque.queue (queue_id),
	tick_id bigint NOT NULL,
	tick_time timestamptz NOT NULL DEFAULT now(),
	tick_snapshot pg_snapshot NOT NULL DEFAULT pg_current_snapshot(),
	tick_event_seq bigint NOT NULL,
	PRIMARY KEY (tick_queue, tick_id)
);
CREATE SEQUENCE pgque.batch_id_seq;
CREATE TABLE pgque.event_template (
	ev_id bigint NOT NULL, ev_time timestamptz NOT NULL, ev_txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
	ev_owner int4, ev_retry int4, ev_type text, ev_data text,
	ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text
);
CREATE TABLE pgque.retry_queue (
	ev_retry_after timestamptz NOT NULL,
	ev_queue int4 NOT NULL REFERENCES pgque.queue (queue_id),
	ev_id bigint NOT NULL, ev_time timestamptz NOT NULL, ev_txid xid8, ev_owner int4 NOT NULL, ev_retry int4,
	ev_type text, ev_data text, ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text,
	PRIMARY KEY (ev_owner, ev_id)
);
CREATE INDEX rq_retry_idx ON pgque.retry_queue (ev_retry_after);
CREATE TABLE pgque.dead_letter (
	dl_id bigserial PRIMARY KEY,
	dl_queue_id int4 NOT NULL REFERENCES pgque.queue (queue_id) ON DELETE CASCADE,
	dl_consumer_id int4 NOT NULL REFERENCES pgque.consumer (co_id) ON DELETE CASCADE,
	dl_time timestamptz NOT NULL DEFAULT now(), dl_reason text,
	ev_id bigint NOT NULL, ev_time timestamptz NOT NULL, ev_txid xid8, ev_retry int4,
	ev_type text, ev_data text, ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text
);
CREATE INDEX dl_queue_time_idx ON pgque.dead_letter (dl_queue_id, dl_time);
CREATE UNIQUE INDEX dl_unique_idx ON pgque.dead_letter (dl_queue_id, dl_consumer_id, ev_id);
CREATE TABLE pgque.config (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	ticker_job_id bigint, maint_job_id bigint,
	scheduler text CHECK (scheduler IN ('pg_cron', 'pg_timetable')),
	tick_period_ms int NOT NULL DEFAULT 100 CHECK (tick_period_ms BETWEEN 1 AND 1000 AND 1000 % tick_period_ms = 0),
	installed_at timestamptz DEFAULT clock_timestamp()
);
INSERT INTO pgque.config DEFAULT VALUES;
CREATE TYPE pgque.message AS (msg_id bigint, batch_id bigint, type text, payload text, retry_count int4,
	created_at timestamptz, extra1 text, extra2 text, extra3 text, extra4 text);
GRANT USAGE ON SCHEMA pgque TO PUBLIC;
GRANT SELECT ON pgque.queue, pgque.consumer, pgque.subscription, pgque.tick, pgque.event_template,
	pgque.retry_queue TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA pgque TO pgque_reader;
GRANT ALL ON ALL TABLES IN SCHEMA pgque TO pgque_admin;
GRANT ALL ON ALL SEQUENCES IN SCHEMA pgque TO pgque_admin;
