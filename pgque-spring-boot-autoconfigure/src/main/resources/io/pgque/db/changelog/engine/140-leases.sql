--liquibase formatted sql

-- Leases that need no session (issue 17, issue 20): the right of one worker to consume
-- for a (queue, consumer), or of one ticker to lead, kept as a row instead of a session
-- advisory lock. A pooler in transaction mode hands a session's advisory lock to
-- whichever client gets that server connection next, and any login can take any
-- advisory key it can compute; a row in a table only the owner writes (through the
-- functions below) has neither problem.
--
-- le_epoch is the fencing token: it grows on every acquisition, and the statements that
-- open and finish a batch check it (lease_check), so a worker that lost its lease can
-- neither open nor commit. le_slot is 0 today; per-worker slots get their own rows.

--changeset pgque:table-lease
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass('pgque.lease')
CREATE TABLE pgque.lease (
	le_kind text NOT NULL CHECK (le_kind IN ('consumer', 'ticker')),
	le_queue text NOT NULL,
	le_consumer text NOT NULL,
	le_slot int4 NOT NULL DEFAULT 0,
	le_owner text NOT NULL,
	le_epoch int8 NOT NULL,
	le_expires timestamptz NOT NULL,
	le_acquired timestamptz NOT NULL,
	PRIMARY KEY (le_kind, le_queue, le_consumer, le_slot)
) WITH (fillfactor = 50);
-- fillfactor: heartbeats touch no indexed column, so with room on the page they stay
-- HOT updates (no index WAL).

--changeset pgque:lease_take runOnChange:true splitStatements:false stripComments:false
-- Takes a lease that is free, expired, or already this owner's, bumping the epoch;
-- returns the new epoch, or NULL when another owner holds it. A row locked by a
-- transaction that checked it (lease_check's KEY SHARE) is skipped, not waited for: the
-- holder's batch transaction is still running, and taking over under it would let its
-- commit and the new holder's work overlap.
CREATE OR REPLACE FUNCTION pgque.lease_take(i_kind text, i_queue text, i_consumer text, i_slot int4,
		i_owner text, i_ttl interval)
RETURNS int8 LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_lease record;
	v_epoch int8;
BEGIN
	IF i_ttl IS NULL OR i_ttl <= interval '0' OR i_owner IS NULL OR i_owner = '' THEN
		RAISE EXCEPTION 'lease of %/%: owner must be set and ttl positive (got %, %)', i_queue, i_consumer,
			i_owner, i_ttl;
	END IF;
	INSERT INTO pgque.lease (le_kind, le_queue, le_consumer, le_slot, le_owner, le_epoch, le_expires, le_acquired)
	VALUES (i_kind, i_queue, i_consumer, i_slot, i_owner, 1, pg_catalog.clock_timestamp() + i_ttl,
		pg_catalog.clock_timestamp())
	ON CONFLICT DO NOTHING
	RETURNING le_epoch INTO v_epoch;
	IF v_epoch IS NOT NULL THEN
		RETURN v_epoch;
	END IF;
	SELECT l.le_owner, l.le_expires INTO v_lease
	FROM pgque.lease l
	WHERE l.le_kind = i_kind AND l.le_queue = i_queue AND l.le_consumer = i_consumer AND l.le_slot = i_slot
	FOR UPDATE SKIP LOCKED;
	IF NOT FOUND OR (v_lease.le_owner <> i_owner AND v_lease.le_expires > pg_catalog.clock_timestamp()) THEN
		RETURN NULL;
	END IF;
	UPDATE pgque.lease
	SET le_owner = i_owner, le_epoch = le_epoch + 1, le_expires = pg_catalog.clock_timestamp() + i_ttl,
		le_acquired = pg_catalog.clock_timestamp()
	WHERE le_kind = i_kind AND le_queue = i_queue AND le_consumer = i_consumer AND le_slot = i_slot
	RETURNING le_epoch INTO v_epoch;
	RETURN v_epoch;
END;
$$;

--changeset pgque:lease_check runOnChange:true splitStatements:false stripComments:false
-- Raises PQL01 unless the lease is held at this epoch and not expired. With i_lock the
-- row is KEY SHARE locked until the transaction ends, so no takeover (FOR UPDATE in
-- lease_take) can slip in between this check and the caller's commit; heartbeats (plain
-- updates) are not blocked by it. Without i_lock it is a plain read: no xid, no WAL.
CREATE OR REPLACE FUNCTION pgque.lease_check(i_kind text, i_queue text, i_consumer text, i_slot int4,
		i_epoch int8, i_lock boolean)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF i_lock THEN
		PERFORM 1 FROM pgque.lease l
		WHERE l.le_kind = i_kind AND l.le_queue = i_queue AND l.le_consumer = i_consumer AND l.le_slot = i_slot
			AND l.le_epoch = i_epoch AND l.le_expires > pg_catalog.clock_timestamp()
		FOR KEY SHARE;
	ELSE
		PERFORM 1 FROM pgque.lease l
		WHERE l.le_kind = i_kind AND l.le_queue = i_queue AND l.le_consumer = i_consumer AND l.le_slot = i_slot
			AND l.le_epoch = i_epoch AND l.le_expires > pg_catalog.clock_timestamp();
	END IF;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'lease of %/% (epoch %) is no longer held', i_queue, i_consumer, i_epoch
			USING ERRCODE = 'PQL01';
	END IF;
END;
$$;

--changeset pgque:lease_acquire runOnChange:true splitStatements:false stripComments:false
-- The consumer's lease (slot 0); see lease_take.
CREATE OR REPLACE FUNCTION pgque.lease_acquire(i_queue text, i_consumer text, i_owner text, i_ttl interval)
RETURNS int8 LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT pgque.lease_take('consumer', $1, $2, 0, $3, $4)
$$;

--changeset pgque:lease_renew runOnChange:true splitStatements:false stripComments:false
-- One heartbeat for every consumer lease of an owner: extends those still held and
-- unexpired, and returns them. A lease the caller believes held but that is not
-- returned is lost (expired, or taken over). Locked rows are waited for only as long as
-- a takeover's own transaction, which is short.
CREATE OR REPLACE FUNCTION pgque.lease_renew(i_owner text, i_ttl interval)
RETURNS TABLE (queue text, consumer text, epoch int8) LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	UPDATE pgque.lease
	SET le_expires = pg_catalog.clock_timestamp() + $2
	WHERE le_kind = 'consumer' AND le_owner = $1 AND le_expires > pg_catalog.clock_timestamp()
	RETURNING le_queue, le_consumer, le_epoch
$$;

--changeset pgque:lease_release runOnChange:true splitStatements:false stripComments:false
-- Gives a consumer lease up at once (expires now) if still held at that epoch; a
-- standby takes it on its next attempt instead of after the ttl.
CREATE OR REPLACE FUNCTION pgque.lease_release(i_queue text, i_consumer text, i_owner text, i_epoch int8)
RETURNS boolean LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	WITH released AS (
		UPDATE pgque.lease SET le_expires = pg_catalog.clock_timestamp()
		WHERE le_kind = 'consumer' AND le_queue = $1 AND le_consumer = $2 AND le_slot = 0 AND le_owner = $3
			AND le_epoch = $4
		RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM released)
$$;

--changeset pgque:next_batch_leased runOnChange:true splitStatements:false stripComments:false
-- next_batch, then the lease check in the same statement. A batch opened (or re-opened)
-- is checked with the row lock, so the open is undone by the raise if the lease is
-- gone; an idle poll (NULL) checks with a plain read, costing no xid and no write.
CREATE OR REPLACE FUNCTION pgque.next_batch_leased(i_queue text, i_consumer text, i_epoch int8)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_batch_id bigint;
BEGIN
	v_batch_id := pgque.next_batch(i_queue, i_consumer);
	PERFORM pgque.lease_check('consumer', i_queue, i_consumer, 0, i_epoch, v_batch_id IS NOT NULL);
	RETURN v_batch_id;
END;
$$;

--changeset pgque:finish_batch_leased runOnChange:true splitStatements:false stripComments:false
-- finish_batch (which locks the subscription row first), then the lease check with the
-- row lock: a fenced worker's ack raises, and its transaction, with the handler's
-- effects in it, cannot commit.
CREATE OR REPLACE FUNCTION pgque.finish_batch_leased(i_batch_id bigint, i_queue text, i_consumer text,
		i_epoch int8)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	v_done integer;
BEGIN
	v_done := pgque.finish_batch(i_batch_id);
	PERFORM pgque.lease_check('consumer', i_queue, i_consumer, 0, i_epoch, true);
	RETURN v_done;
END;
$$;

--changeset pgque:ticker_lease runOnChange:true splitStatements:false stripComments:false
-- Ticker leadership: one row, taken like a consumer lease; renewing it is taking it
-- again at the same epoch (NULL when another owner has it now).
CREATE OR REPLACE FUNCTION pgque.ticker_lease_take(i_owner text, i_ttl interval)
RETURNS int8 LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT pgque.lease_take('ticker', '', '', 0, $1, $2)
$$;

--changeset pgque:ticker_lease_renew runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.ticker_lease_renew(i_owner text, i_epoch int8, i_ttl interval)
RETURNS boolean LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	WITH renewed AS (
		UPDATE pgque.lease SET le_expires = pg_catalog.clock_timestamp() + $3
		WHERE le_kind = 'ticker' AND le_queue = '' AND le_consumer = '' AND le_slot = 0 AND le_owner = $1
			AND le_epoch = $2 AND le_expires > pg_catalog.clock_timestamp()
		RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM renewed)
$$;

--changeset pgque:ticker_lease_release runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque.ticker_lease_release(i_owner text, i_epoch int8)
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	UPDATE pgque.lease SET le_expires = pg_catalog.clock_timestamp()
	WHERE le_kind = 'ticker' AND le_queue = '' AND le_consumer = '' AND le_slot = 0 AND le_owner = $1
		AND le_epoch = $2
$$;
