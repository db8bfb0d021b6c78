--liquibase formatted sql

-- Partition keys (extended contract §B). A partitioned consumer C with N slots is N
-- ordinary subscriptions named "C#k/N"; slot k keeps the events whose key (ev_extra1)
-- hashes to k, so the events of one key reach one slot, in ev_id order. Which worker may
-- consume a slot is a lease row (partition_slot): owner, expiry, and an epoch that grows
-- on every takeover and serves as a fencing token. Plain transactional rows, so it works
-- through transaction-mode poolers.
--
-- LOCK ORDER, on every path that takes more than one:
--   1. the partition_consumer row (FOR NO KEY UPDATE, only setup and teardown),
--   2. the slot's lease row (FOR UPDATE; claim never waits for it, see claim_slot),
--   3. the slot's subscription row (next_batch, finish_batch),
--   4. consumer rows (FOR NO KEY UPDATE in register_consumer_at).
-- Row locks that only guard against a concurrent writer are NO KEY UPDATE, so the
-- foreign-key checks a receive triggers when it updates a row a second time in one
-- transaction (they take KEY SHARE on the parent) never wait for setup.

--changeset pgque:table-partition_consumer
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass('pgque.partition_consumer')
-- Pins the slot count of a partitioned consumer: the slot of a key depends on it.
CREATE TABLE pgque.partition_consumer (
	queue_id int4 NOT NULL REFERENCES pgque.queue (queue_id) ON DELETE CASCADE,
	co_name text NOT NULL,
	n int4 NOT NULL CHECK (n >= 1),
	PRIMARY KEY (queue_id, co_name)
);

--changeset pgque:table-partition_slot
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass('pgque.partition_slot')
-- One lease row per subscribed slot; lease_owner NULL = free. fillfactor: renewals touch
-- no indexed column, so with room on the page they stay HOT updates.
CREATE TABLE pgque.partition_slot (
	queue_id int4 NOT NULL,
	co_name text NOT NULL,
	slot int4 NOT NULL,
	lease_owner text,
	lease_until timestamptz,
	lease_ttl interval,
	epoch bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (queue_id, co_name, slot),
	FOREIGN KEY (queue_id, co_name) REFERENCES pgque.partition_consumer (queue_id, co_name) ON DELETE CASCADE
) WITH (fillfactor = 50);

--changeset pgque:table-partition_epoch
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass('pgque.partition_epoch')
-- The last epoch of a slot whose lease row was deleted (unsubscribed). A re-subscribed
-- slot continues from it, so an epoch is never handed out twice for one slot (upstream
-- restarted at 0, repeating fencing tokens).
CREATE TABLE pgque.partition_epoch (
	queue_id int4 NOT NULL REFERENCES pgque.queue (queue_id) ON DELETE CASCADE,
	co_name text NOT NULL,
	slot int4 NOT NULL,
	epoch bigint NOT NULL,
	PRIMARY KEY (queue_id, co_name, slot)
);

--changeset pgque:_slot_name runOnChange:true splitStatements:false stripComments:false
-- The engine consumer name of slot k of n: "C#k/N".
CREATE OR REPLACE FUNCTION pgque._slot_name(i_consumer text, i_slot int, i_n int)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT $1 || '#' || $2 || '/' || $3
$$;

--changeset pgque:_slot_of runOnChange:true splitStatements:false stripComments:false
-- The slot of a key: PostgreSQL's 64-bit text hash (seed 0) modulo n, made non-negative
-- (% keeps the dividend's sign). A NULL key goes to slot 0, so no event is dropped.
-- Plain IMMUTABLE SQL, so it is inlined into the filter of receive_partitioned.
CREATE OR REPLACE FUNCTION pgque._slot_of(i_key text, i_n int)
RETURNS int4 LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN $1 IS NULL THEN 0
		ELSE ((pg_catalog.hashtextextended($1, 0) % $2 + $2) % $2)::int4 END
$$;

--changeset pgque:_slot_validate runOnChange:true splitStatements:false stripComments:false
-- Name and count checks of the setup calls, in the contract's order. n is bounded (not
-- upstream): every slot is a subscription that reads the whole stream.
CREATE OR REPLACE FUNCTION pgque._slot_validate(i_queue text, i_consumer text, i_n int)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF i_queue IS NULL OR i_queue = '' THEN
		RAISE EXCEPTION 'queue name must not be empty';
	ELSIF i_consumer IS NULL OR i_consumer = '' THEN
		RAISE EXCEPTION 'consumer name must not be empty';
	ELSIF pg_catalog.strpos(i_consumer, '#') > 0 THEN
		RAISE EXCEPTION 'partitioned consumer name must not contain #: %', i_consumer;
	ELSIF i_n IS NULL OR i_n < 1 THEN
		RAISE EXCEPTION 'slot count n must be >= 1, got %', coalesce(i_n::text, 'NULL');
	ELSIF i_n > 1024 THEN
		RAISE EXCEPTION 'slot count n must be <= 1024, got %', i_n;
	END IF;
END;
$$;

--changeset pgque:_partition_pin runOnChange:true splitStatements:false stripComments:false
-- Creates or locks the consumer's pin row (FOR NO KEY UPDATE: setup calls serialize on
-- it, receives' foreign-key checks do not) and refuses a different n. Returns the queue
-- id.
CREATE OR REPLACE FUNCTION pgque._partition_pin(i_queue text, i_consumer text, i_n int)
RETURNS int4 LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_queue_id int4;
	v_n int4;
BEGIN
	SELECT queue_id INTO v_queue_id FROM pgque.queue WHERE queue_name = i_queue;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'queue not found: %', i_queue;
	END IF;
	INSERT INTO pgque.partition_consumer (queue_id, co_name, n) VALUES (v_queue_id, i_consumer, i_n)
	ON CONFLICT (queue_id, co_name) DO NOTHING;
	SELECT n INTO v_n FROM pgque.partition_consumer WHERE queue_id = v_queue_id AND co_name = i_consumer
	FOR NO KEY UPDATE;
	IF v_n <> i_n THEN
		RAISE EXCEPTION 'consumer % on queue % is pinned to n=%; got n=% (unsubscribe every slot to change it)',
			i_consumer, i_queue, v_n, i_n;
	END IF;
	RETURN v_queue_id;
END;
$$;

--changeset pgque:_slot_add runOnChange:true splitStatements:false stripComments:false
-- Adds one slot under a held pin lock: its lease row (unleased, continuing any earlier
-- epoch) and its subscription, at i_tick (NULL: the queue's newest tick). An existing
-- slot is left as it is. 1 when the subscription was created.
CREATE OR REPLACE FUNCTION pgque._slot_add(i_queue text, i_queue_id int4, i_consumer text, i_slot int, i_n int,
		i_tick bigint)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO pgque.partition_slot (queue_id, co_name, slot, epoch)
	SELECT i_queue_id, i_consumer, i_slot, coalesce((SELECT e.epoch FROM pgque.partition_epoch e
		WHERE e.queue_id = i_queue_id AND e.co_name = i_consumer AND e.slot = i_slot), 0)
	ON CONFLICT (queue_id, co_name, slot) DO NOTHING;
	IF i_tick IS NULL THEN
		RETURN pgque.register_consumer(i_queue, pgque._slot_name(i_consumer, i_slot, i_n));
	END IF;
	-- With a position, register_consumer_at would move an existing slot: only new ones.
	IF EXISTS (SELECT 1 FROM pgque.subscription s JOIN pgque.consumer c ON c.co_id = s.sub_consumer
			WHERE s.sub_queue = i_queue_id AND c.co_name = pgque._slot_name(i_consumer, i_slot, i_n)) THEN
		RETURN 0;
	END IF;
	RETURN pgque.register_consumer_at(i_queue, pgque._slot_name(i_consumer, i_slot, i_n), i_tick);
END;
$$;

--changeset pgque:subscribe_slot runOnChange:true splitStatements:false stripComments:false
-- Subscribes one slot; idempotent for the same (slot, n). A new slot starts at the
-- queue's newest tick, so events sent before it hashing to it reach nobody: subscribe
-- every slot at once with subscribe_slots.
CREATE OR REPLACE FUNCTION pgque.subscribe_slot(i_queue text, i_consumer text, i_slot int, i_n int)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_queue_id int4;
BEGIN
	PERFORM pgque._slot_validate(i_queue, i_consumer, i_n);
	IF i_slot IS NULL OR i_slot < 0 OR i_slot >= i_n THEN
		RAISE EXCEPTION 'slot % out of range for n=% (valid: 0..%)', coalesce(i_slot::text, 'NULL'), i_n, i_n - 1;
	END IF;
	v_queue_id := pgque._partition_pin(i_queue, i_consumer, i_n);
	PERFORM pgque._slot_add(i_queue, v_queue_id, i_consumer, i_slot, i_n, NULL);
END;
$$;

--changeset pgque:subscribe_slots runOnChange:true splitStatements:false stripComments:false
-- Whole-consumer setup (not upstream, whose slot-by-slot setup loses the events sent
-- between two subscribe_slot calls, #307): every missing slot in one transaction, all at
-- one tick: the oldest cursor of the slots that exist, else the queue's newest tick. A
-- slot added later thus starts where the consumer stands, and sees every event of its
-- class that no slot has delivered. Returns the number of slots created.
CREATE OR REPLACE FUNCTION pgque.subscribe_slots(i_queue text, i_consumer text, i_n int)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_queue_id int4;
	v_tick bigint;
	v_created integer := 0;
BEGIN
	PERFORM pgque._slot_validate(i_queue, i_consumer, i_n);
	v_queue_id := pgque._partition_pin(i_queue, i_consumer, i_n);
	SELECT min(s.sub_last_tick) INTO v_tick
	FROM pgque.subscription s JOIN pgque.consumer c ON c.co_id = s.sub_consumer
	WHERE s.sub_queue = v_queue_id
		AND c.co_name IN (SELECT pgque._slot_name(i_consumer, g, i_n) FROM pg_catalog.generate_series(0, i_n - 1) g);
	IF v_tick IS NULL THEN
		SELECT max(tick_id) INTO v_tick FROM pgque.tick WHERE tick_queue = v_queue_id;
		IF v_tick IS NULL THEN
			RAISE EXCEPTION 'queue % has no ticks yet', i_queue;
		END IF;
	END IF;
	FOR k IN 0 .. i_n - 1 LOOP
		v_created := v_created + pgque._slot_add(i_queue, v_queue_id, i_consumer, k, i_n, v_tick);
	END LOOP;
	RETURN v_created;
END;
$$;

--changeset pgque:unsubscribe_slot runOnChange:true splitStatements:false stripComments:false
-- Removes a slot: its subscription (with its retries, and its dead letters if the
-- consumer row goes), then its lease row, keeping its epoch. The lease row is locked
-- BEFORE the subscription (upstream locked it after, the inverse of a receive, and could
-- deadlock with one); a receive in progress on the slot is waited for. With no slot left
-- the pin goes too, and a new n may be chosen. Unknown queue or consumer: nothing.
CREATE OR REPLACE FUNCTION pgque.unsubscribe_slot(i_queue text, i_consumer text, i_slot int)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_pin record;
	v_epoch bigint;
BEGIN
	SELECT pc.queue_id, pc.n INTO v_pin
	FROM pgque.partition_consumer pc JOIN pgque.queue q ON q.queue_id = pc.queue_id
	WHERE q.queue_name = i_queue AND pc.co_name = i_consumer
	FOR NO KEY UPDATE OF pc;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	IF i_slot IS NULL OR i_slot < 0 OR i_slot >= v_pin.n THEN
		RAISE EXCEPTION 'slot % out of range for consumer % on queue % (valid: 0..%)', coalesce(i_slot::text, 'NULL'),
			i_consumer, i_queue, v_pin.n - 1;
	END IF;
	SELECT epoch INTO v_epoch FROM pgque.partition_slot
	WHERE queue_id = v_pin.queue_id AND co_name = i_consumer AND slot = i_slot
	FOR UPDATE;
	PERFORM pgque.unregister_consumer(i_queue, pgque._slot_name(i_consumer, i_slot, v_pin.n));
	DELETE FROM pgque.partition_slot WHERE queue_id = v_pin.queue_id AND co_name = i_consumer AND slot = i_slot;
	IF NOT EXISTS (SELECT 1 FROM pgque.subscription s JOIN pgque.consumer c ON c.co_id = s.sub_consumer
			WHERE s.sub_queue = v_pin.queue_id
				AND c.co_name IN (SELECT pgque._slot_name(i_consumer, g, v_pin.n)
					FROM pg_catalog.generate_series(0, v_pin.n - 1) g)) THEN
		PERFORM pgque._slot_keep_epochs(v_pin.queue_id, i_consumer);
		DELETE FROM pgque.partition_consumer WHERE queue_id = v_pin.queue_id AND co_name = i_consumer;
	END IF;
	IF v_epoch IS NOT NULL THEN
		INSERT INTO pgque.partition_epoch (queue_id, co_name, slot, epoch)
		VALUES (v_pin.queue_id, i_consumer, i_slot, v_epoch)
		ON CONFLICT (queue_id, co_name, slot) DO UPDATE SET epoch = pg_catalog.int8larger(partition_epoch.epoch,
			excluded.epoch);
	END IF;
END;
$$;

--changeset pgque:_slot_keep_epochs runOnChange:true splitStatements:false stripComments:false
-- Records the epochs of a consumer's remaining lease rows before they are deleted.
CREATE OR REPLACE FUNCTION pgque._slot_keep_epochs(i_queue_id int4, i_consumer text)
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	INSERT INTO pgque.partition_epoch (queue_id, co_name, slot, epoch)
	SELECT ls.queue_id, ls.co_name, ls.slot, ls.epoch FROM pgque.partition_slot ls
	WHERE ls.queue_id = $1 AND ls.co_name = $2
	ON CONFLICT (queue_id, co_name, slot) DO UPDATE SET epoch = pg_catalog.int8larger(partition_epoch.epoch,
		excluded.epoch)
$$;

--changeset pgque:_slot_pin_of runOnChange:true splitStatements:false stripComments:false
-- The pin of a partitioned consumer (no lock), or raises.
CREATE OR REPLACE FUNCTION pgque._slot_pin_of(i_queue text, i_consumer text, OUT queue_id int4, OUT n int4)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	SELECT pc.queue_id, pc.n INTO queue_id, n
	FROM pgque.partition_consumer pc JOIN pgque.queue q ON q.queue_id = pc.queue_id
	WHERE q.queue_name = i_queue AND pc.co_name = i_consumer;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'consumer % on queue % is not a partitioned consumer', i_consumer, i_queue;
	END IF;
END;
$$;

--changeset pgque:_slot_check_range runOnChange:true splitStatements:false stripComments:false
CREATE OR REPLACE FUNCTION pgque._slot_check_range(i_queue text, i_consumer text, i_slot int, i_n int)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF i_slot IS NULL OR i_slot < 0 OR i_slot >= i_n THEN
		RAISE EXCEPTION 'slot % out of range for consumer % on queue % (valid: 0..%)', coalesce(i_slot::text, 'NULL'),
			i_consumer, i_queue, i_n - 1;
	END IF;
END;
$$;

--changeset pgque:_slot_check_worker runOnChange:true splitStatements:false stripComments:false
-- A worker id and a ttl (of a lease or of a worker's presence) that the slot calls accept.
CREATE OR REPLACE FUNCTION pgque._slot_check_worker(i_worker text, i_ttl interval, i_what text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
BEGIN
	IF i_worker IS NULL OR i_worker = '' THEN
		RAISE EXCEPTION 'worker id must not be empty';
	END IF;
	IF i_ttl IS NULL OR NOT pg_catalog.isfinite(i_ttl) OR i_ttl < interval '1 second' THEN
		RAISE EXCEPTION '% must be >= 1 second, got %', i_what, coalesce(i_ttl::text, 'NULL');
	END IF;
END;
$$;

--changeset pgque:claim_slot runOnChange:true splitStatements:false stripComments:false
-- Takes or renews a slot's lease; returns the epoch, or NULL when another live owner has
-- it. A takeover (free or expired lease) raises the epoch; the owner's re-claim keeps it.
-- NEVER WAITS (upstream #309 waited): a lease row locked by a running transaction (a
-- claim, or a receive-to-ack transaction holding it through the guard) answers NULL at
-- once, so a worker scanning for free slots does not queue behind a busy one, and a
-- takeover cannot slip in under a batch that is being acked. Existence is checked first
-- without a lock, so "not subscribed" still raises.
CREATE OR REPLACE FUNCTION pgque.claim_slot(i_queue text, i_consumer text, i_slot int, i_worker text,
		i_ttl interval DEFAULT '30 seconds')
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_pin record;
	v_lease record;
	v_now timestamptz;
	v_epoch bigint;
BEGIN
	PERFORM pgque._slot_check_worker(i_worker, i_ttl, 'lease ttl');
	SELECT * INTO v_pin FROM pgque._slot_pin_of(i_queue, i_consumer);
	PERFORM pgque._slot_check_range(i_queue, i_consumer, i_slot, v_pin.n);
	PERFORM 1 FROM pgque.partition_slot
	WHERE queue_id = v_pin.queue_id AND co_name = i_consumer AND slot = i_slot;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'slot % of consumer % on queue % is not subscribed; call pgque.subscribe_slot() first', i_slot,
			i_consumer, i_queue;
	END IF;
	SELECT lease_owner, lease_until INTO v_lease FROM pgque.partition_slot
	WHERE queue_id = v_pin.queue_id AND co_name = i_consumer AND slot = i_slot
	FOR UPDATE SKIP LOCKED;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	v_now := pg_catalog.clock_timestamp();
	IF v_lease.lease_owner = i_worker THEN
		UPDATE pgque.partition_slot SET lease_until = v_now + i_ttl, lease_ttl = i_ttl
		WHERE queue_id = v_pin.queue_id AND co_name = i_consumer AND slot = i_slot
		RETURNING epoch INTO v_epoch;
	ELSIF v_lease.lease_owner IS NULL OR v_lease.lease_until <= v_now THEN
		UPDATE pgque.partition_slot
		SET lease_owner = i_worker, lease_until = v_now + i_ttl, lease_ttl = i_ttl, epoch = epoch + 1
		WHERE queue_id = v_pin.queue_id AND co_name = i_consumer AND slot = i_slot
		RETURNING epoch INTO v_epoch;
	END IF;
	RETURN v_epoch;
END;
$$;

--changeset pgque:renew_slots runOnChange:true splitStatements:false stripComments:false
-- Renews in one statement the leases of i_slots that i_worker owns (not upstream: the
-- contract renews with claim_slot, one call per slot) and returns the slots renewed with
-- their epochs, which a renewal keeps. A slot missing from the answer is not this
-- worker's (taken over after its lease expired, never claimed, out of range), or its row
-- is locked by a running transaction: like claim_slot this never waits, and the caller
-- treats the slot as lost. The owner's lease is renewed even if it has expired, as long
-- as nobody took it, as claim_slot does.
CREATE OR REPLACE FUNCTION pgque.renew_slots(i_queue text, i_consumer text, i_worker text, i_slots int[],
		i_ttl interval DEFAULT '30 seconds')
RETURNS TABLE (renewed_slot int, lease_epoch bigint) LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_pin record;
BEGIN
	PERFORM pgque._slot_check_worker(i_worker, i_ttl, 'lease ttl');
	SELECT * INTO v_pin FROM pgque._slot_pin_of(i_queue, i_consumer);
	RETURN QUERY
	UPDATE pgque.partition_slot ls SET lease_until = pg_catalog.clock_timestamp() + i_ttl, lease_ttl = i_ttl
	FROM (SELECT s.slot FROM pgque.partition_slot s
		WHERE s.queue_id = v_pin.queue_id AND s.co_name = i_consumer AND s.slot = ANY (i_slots)
			AND s.lease_owner = i_worker
		ORDER BY s.slot
		FOR UPDATE SKIP LOCKED) mine
	WHERE ls.queue_id = v_pin.queue_id AND ls.co_name = i_consumer AND ls.slot = mine.slot
	RETURNING ls.slot, ls.epoch;
END;
$$;

--changeset pgque:release_slot runOnChange:true splitStatements:false stripComments:false
-- Gives a lease up, keeping the epoch. false for a non-owner (or a NULL worker, which
-- upstream let clear anyone's lease). REFUSED while the slot has an open batch (upstream
-- #304): the next owner would be handed that same batch while this one may still be
-- working on it, and this one, re-claiming later, could ack a batch it never saw. Ack
-- or nack the batch first, or let the lease expire (crash recovery).
CREATE OR REPLACE FUNCTION pgque.release_slot(i_queue text, i_consumer text, i_slot int, i_worker text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_lease record;
	v_batch bigint;
BEGIN
	SELECT ls.queue_id, ls.lease_owner, pc.n INTO v_lease
	FROM pgque.partition_slot ls
	JOIN pgque.partition_consumer pc ON pc.queue_id = ls.queue_id AND pc.co_name = ls.co_name
	JOIN pgque.queue q ON q.queue_id = ls.queue_id
	WHERE q.queue_name = i_queue AND ls.co_name = i_consumer AND ls.slot = i_slot
	FOR UPDATE OF ls;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'slot % of consumer % on queue % is not subscribed', i_slot, i_consumer, i_queue;
	END IF;
	IF i_worker IS NULL OR v_lease.lease_owner IS NULL OR v_lease.lease_owner <> i_worker THEN
		RETURN false;
	END IF;
	-- Read after the lease lock: a batch is opened only under it (the guard).
	SELECT s.sub_batch INTO v_batch
	FROM pgque.subscription s JOIN pgque.consumer c ON c.co_id = s.sub_consumer
	WHERE s.sub_queue = v_lease.queue_id AND c.co_name = pgque._slot_name(i_consumer, i_slot, v_lease.n);
	IF v_batch IS NOT NULL THEN
		RAISE EXCEPTION 'cannot release slot % of consumer % on queue %: its batch % is open; ack or nack it first',
			i_slot, i_consumer, i_queue, v_batch;
	END IF;
	UPDATE pgque.partition_slot SET lease_owner = NULL, lease_until = NULL, lease_ttl = NULL
	WHERE queue_id = v_lease.queue_id AND co_name = i_consumer AND slot = i_slot;
	RETURN true;
END;
$$;

--changeset pgque:_slot_guard runOnChange:true splitStatements:false stripComments:false
-- The fence of every consume call: the caller must own the slot's lease. Locks the lease
-- row to transaction end, so no takeover can happen between this check and the caller's
-- commit; then renews the lease (also the owner's own expired lease nobody took over).
-- Returns the lease's epoch. A NULL worker raises (upstream let it pass).
CREATE OR REPLACE FUNCTION pgque._slot_guard(i_queue text, i_consumer text, i_slot int, i_n int, i_worker text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_pin record;
	v_lease record;
BEGIN
	IF i_queue IS NULL OR i_consumer IS NULL OR i_slot IS NULL OR i_n IS NULL THEN
		RAISE EXCEPTION 'queue, consumer, slot, and n must not be null';
	ELSIF i_worker IS NULL OR i_worker = '' THEN
		RAISE EXCEPTION 'worker id must not be empty';
	END IF;
	SELECT * INTO v_pin FROM pgque._slot_pin_of(i_queue, i_consumer);
	-- Before any lease check: a caller with the wrong n would compute other slots.
	IF v_pin.n <> i_n THEN
		RAISE EXCEPTION 'wrong slot count for consumer % on queue %: pinned n=%, caller passed n=%', i_consumer,
			i_queue, v_pin.n, i_n;
	END IF;
	PERFORM pgque._slot_check_range(i_queue, i_consumer, i_slot, v_pin.n);
	SELECT lease_owner, epoch INTO v_lease FROM pgque.partition_slot
	WHERE queue_id = v_pin.queue_id AND co_name = i_consumer AND slot = i_slot
	FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'slot % of consumer % on queue % is not subscribed', i_slot, i_consumer, i_queue;
	ELSIF v_lease.lease_owner IS NULL THEN
		RAISE EXCEPTION 'slot % of consumer % on queue % is not leased; call pgque.claim_slot() first', i_slot,
			i_consumer, i_queue;
	ELSIF v_lease.lease_owner <> i_worker THEN
		RAISE EXCEPTION 'lease on slot % of consumer % on queue % is held by worker %, not %; fenced', i_slot,
			i_consumer, i_queue, v_lease.lease_owner, i_worker;
	END IF;
	UPDATE pgque.partition_slot SET lease_until = pg_catalog.clock_timestamp() + lease_ttl
	WHERE queue_id = v_pin.queue_id AND co_name = i_consumer AND slot = i_slot;
	RETURN v_lease.epoch;
END;
$$;

--changeset pgque:_slot_batch runOnChange:true splitStatements:false stripComments:false
-- The slot's open batch (NULL if none); raises if the slot has no subscription.
CREATE OR REPLACE FUNCTION pgque._slot_batch(i_queue text, i_consumer text, i_slot int, i_n int)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_batch bigint;
BEGIN
	SELECT s.sub_batch INTO v_batch
	FROM pgque.subscription s
	JOIN pgque.queue q ON q.queue_id = s.sub_queue
	JOIN pgque.consumer c ON c.co_id = s.sub_consumer
	WHERE q.queue_name = i_queue AND c.co_name = pgque._slot_name(i_consumer, i_slot, i_n);
	IF NOT FOUND THEN
		RAISE EXCEPTION 'slot % of consumer % is not subscribed to queue %', i_slot, i_consumer, i_queue;
	END IF;
	RETURN v_batch;
END;
$$;

--changeset pgque:receive_partitioned runOnChange:true splitStatements:false stripComments:false
-- receive for one slot, fenced by its lease (see _slot_guard): the slot's batch, only
-- the events whose key hashes to this slot (see _batch_messages), up to i_max.
CREATE OR REPLACE FUNCTION pgque.receive_partitioned(i_queue text, i_consumer text, i_slot int, i_n int,
		i_worker text, i_max int DEFAULT 100)
RETURNS SETOF pgque.message LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_batch_id bigint;
BEGIN
	IF i_max IS NULL OR i_max < 1 THEN
		RAISE EXCEPTION 'pgque.receive_partitioned: max must be >= 1, got %', coalesce(i_max::text, 'NULL');
	END IF;
	PERFORM pgque._slot_guard(i_queue, i_consumer, i_slot, i_n, i_worker);
	v_batch_id := pgque.next_batch(i_queue, pgque._slot_name(i_consumer, i_slot, i_n));
	IF v_batch_id IS NOT NULL THEN
		RETURN QUERY SELECT * FROM pgque._batch_messages(v_batch_id, i_max, i_slot, i_n);
	END IF;
END;
$$;

--changeset pgque:ack_partitioned runOnChange:true splitStatements:false stripComments:false
-- Finishes the slot's open batch under the fence: 1, or 0 with none open. Optional (not
-- upstream): i_batch_id, the batch the caller processed, and i_epoch, the epoch its
-- claim returned; either not matching raises, so a worker that lost the slot meanwhile,
-- even one that re-claimed it since, cannot commit what it did with the old batch.
CREATE OR REPLACE FUNCTION pgque.ack_partitioned(i_queue text, i_consumer text, i_slot int, i_n int, i_worker text,
		i_batch_id bigint DEFAULT NULL, i_epoch bigint DEFAULT NULL)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_epoch bigint;
	v_batch bigint;
BEGIN
	v_epoch := pgque._slot_guard(i_queue, i_consumer, i_slot, i_n, i_worker);
	IF i_epoch IS NOT NULL AND i_epoch <> v_epoch THEN
		RAISE EXCEPTION 'lease on slot % of consumer % on queue % is at epoch %, not %; fenced', i_slot, i_consumer,
			i_queue, v_epoch, i_epoch;
	END IF;
	v_batch := pgque._slot_batch(i_queue, i_consumer, i_slot, i_n);
	IF i_batch_id IS NOT NULL AND v_batch IS DISTINCT FROM i_batch_id THEN
		RAISE EXCEPTION 'batch % is not the open batch of slot % of consumer % on queue % (open: %); fenced',
			i_batch_id, i_slot, i_consumer, i_queue, coalesce(v_batch::text, 'none');
	END IF;
	IF v_batch IS NULL THEN
		RETURN 0;
	END IF;
	RETURN pgque.finish_batch(v_batch);
END;
$$;

--changeset pgque:nack_partitioned runOnChange:true splitStatements:false stripComments:false
-- nack for one slot, fenced. The event must be one of this slot's keys: a retry row is
-- owned by the slot's subscription, and an event of another slot's key would come back
-- only here, where the filter never lets it through.
CREATE OR REPLACE FUNCTION pgque.nack_partitioned(i_queue text, i_consumer text, i_slot int, i_n int,
		i_worker text, i_msg pgque.message, i_retry_after interval DEFAULT '60 seconds', i_reason text DEFAULT NULL)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_batch bigint;
BEGIN
	PERFORM pgque._slot_guard(i_queue, i_consumer, i_slot, i_n, i_worker);
	v_batch := pgque._slot_batch(i_queue, i_consumer, i_slot, i_n);
	IF v_batch IS NULL THEN
		RAISE EXCEPTION 'slot % of consumer % on queue % has no open batch to nack', i_slot, i_consumer, i_queue;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pgque.get_batch_event(v_batch, (i_msg).msg_id) e
			WHERE pgque._slot_of(e.ev_extra1, i_n) = i_slot) THEN
		RAISE EXCEPTION 'msg_id % not found in batch %', coalesce((i_msg).msg_id::text, 'NULL'), v_batch;
	END IF;
	RETURN pgque._nack_batch_event(v_batch, i_msg, i_retry_after, i_reason);
END;
$$;

--changeset pgque:table-partition_worker
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass('pgque.partition_worker')
-- Workers of a partitioned consumer that said they are alive (not upstream). Leases only
-- show the workers that hold a slot; a worker that just started holds none, and the
-- others must see it to give it its share.
CREATE TABLE pgque.partition_worker (
	queue_id int4 NOT NULL,
	co_name text NOT NULL,
	worker text NOT NULL,
	seen_until timestamptz NOT NULL,
	PRIMARY KEY (queue_id, co_name, worker),
	FOREIGN KEY (queue_id, co_name) REFERENCES pgque.partition_consumer (queue_id, co_name) ON DELETE CASCADE
);

--changeset pgque:slot_worker_beat runOnChange:true splitStatements:false stripComments:false
-- A worker says it is alive until now + i_ttl (workers silent past their ttl are
-- forgotten here) and learns what it needs to take its fair share of the n slots:
-- alive, the workers alive (itself included; a fair share is n / alive rounded down or
-- up); free, the slots without a live lease; hungry, the workers alive holding fewer
-- than n / alive rounded down, for whom those above it give slots back.
CREATE OR REPLACE FUNCTION pgque.slot_worker_beat(i_queue text, i_consumer text, i_worker text, i_ttl interval,
		OUT alive integer, OUT free integer, OUT hungry integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
DECLARE
	v_pin record;
	v_now timestamptz := pg_catalog.clock_timestamp();
BEGIN
	PERFORM pgque._slot_check_worker(i_worker, i_ttl, 'worker ttl');
	SELECT * INTO v_pin FROM pgque._slot_pin_of(i_queue, i_consumer);
	DELETE FROM pgque.partition_worker
	WHERE queue_id = v_pin.queue_id AND co_name = i_consumer AND seen_until < v_now AND worker <> i_worker;
	INSERT INTO pgque.partition_worker (queue_id, co_name, worker, seen_until)
	VALUES (v_pin.queue_id, i_consumer, i_worker, v_now + i_ttl)
	ON CONFLICT (queue_id, co_name, worker) DO UPDATE SET seen_until = excluded.seen_until;
	SELECT count(*) INTO alive FROM pgque.partition_worker
	WHERE queue_id = v_pin.queue_id AND co_name = i_consumer;
	SELECT count(*) INTO free FROM pgque.partition_slot
	WHERE queue_id = v_pin.queue_id AND co_name = i_consumer AND (lease_owner IS NULL OR lease_until <= v_now);
	SELECT count(*) INTO hungry FROM pgque.partition_worker w
	WHERE w.queue_id = v_pin.queue_id AND w.co_name = i_consumer
		AND (SELECT count(*) FROM pgque.partition_slot ls WHERE ls.queue_id = w.queue_id AND ls.co_name = w.co_name
			AND ls.lease_owner = w.worker AND ls.lease_until > v_now) < v_pin.n / alive;
END;
$$;

--changeset pgque:slot_worker_leave runOnChange:true splitStatements:false stripComments:false
-- A worker that stops is forgotten at once (true), instead of after its ttl.
CREATE OR REPLACE FUNCTION pgque.slot_worker_leave(i_queue text, i_consumer text, i_worker text)
RETURNS boolean LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	WITH gone AS (DELETE FROM pgque.partition_worker w USING pgque.queue q
		WHERE q.queue_id = w.queue_id AND q.queue_name = $1 AND w.co_name = $2 AND w.worker = $3 RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM gone)
$$;

--changeset pgque:send/partition-key-text runOnChange:true splitStatements:false stripComments:false
-- send with a partition key (ev_extra1), byte for byte. Untyped literals resolve here.
CREATE OR REPLACE FUNCTION pgque.send(i_queue text, i_type text, i_payload text, i_partition_key text)
RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT pgque.insert_event($1, $2, $3, $4, NULL, NULL, NULL)
$$;

--changeset pgque:send/partition-key-jsonb runOnChange:true splitStatements:false stripComments:false
-- jsonb is stored as its canonical text.
CREATE OR REPLACE FUNCTION pgque.send(i_queue text, i_type text, i_payload jsonb, i_partition_key text)
RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = pgque, pg_catalog, pg_temp AS $$
	SELECT pgque.insert_event($1, $2, $3::text, $4, NULL, NULL, NULL)
$$;

--changeset pgque:partition_slot_status runOnChange:true splitStatements:false stripComments:false
-- One row per slot 0..n-1 of every partitioned consumer, subscribed or not. Runs with
-- its owner's rights, so readers see leases without access to the tables. lease_owner
-- only while the lease is live. pending_events counts every event past the slot's
-- cursor (before the key filter, so about n times its share); NULL for a slot without a
-- subscription (upstream showed 0, which looks healthy).
CREATE OR REPLACE VIEW pgque.partition_slot_status AS
SELECT q.queue_name,
	pc.co_name AS consumer,
	g.slot,
	pc.n,
	CASE WHEN ls.lease_until > pg_catalog.clock_timestamp() THEN ls.lease_owner END AS lease_owner,
	ls.lease_until,
	coalesce(ls.epoch, 0::bigint) AS epoch,
	s.sub_last_tick AS last_tick,
	CASE WHEN cur.tick_event_seq IS NOT NULL
		THEN pg_catalog.int8larger(0, newest.tick_event_seq - cur.tick_event_seq) END AS pending_events
FROM pgque.partition_consumer pc
JOIN pgque.queue q ON q.queue_id = pc.queue_id
CROSS JOIN LATERAL pg_catalog.generate_series(0, pc.n - 1) AS g(slot)
LEFT JOIN pgque.partition_slot ls ON ls.queue_id = pc.queue_id AND ls.co_name = pc.co_name AND ls.slot = g.slot
LEFT JOIN pgque.consumer c ON c.co_name = pc.co_name || '#' || g.slot || '/' || pc.n
LEFT JOIN pgque.subscription s ON s.sub_queue = pc.queue_id AND s.sub_consumer = c.co_id
LEFT JOIN pgque.tick cur ON cur.tick_queue = pc.queue_id AND cur.tick_id = s.sub_last_tick
LEFT JOIN LATERAL (SELECT t.tick_event_seq FROM pgque.tick t WHERE t.tick_queue = pc.queue_id
	ORDER BY t.tick_id DESC LIMIT 1) newest ON true;
