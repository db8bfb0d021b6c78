-- Work in flight on an upstream-shaped install, as its own ticker and consumers would
-- have left it; every statement is its own transaction (psql's default), which the
-- ticks need: a tick's snapshot covers the events committed before it.
-- Queue 'orders' (id 1) with its data tables, as create_queue makes them.
INSERT INTO pgque.queue (queue_name, queue_data_pfx, queue_event_seq, queue_tick_seq)
VALUES ('orders', 'pgque.event_1', 'pgque.event_1_id_seq', 'pgque.event_1_tick_seq');
CREATE SEQUENCE pgque.event_1_id_seq;
CREATE SEQUENCE pgque.event_1_tick_seq;
CREATE TABLE pgque.event_1 () INHERITS (pgque.event_template);
CREATE TABLE pgque.event_1_0 (ev_id bigint NOT NULL DEFAULT nextval('pgque.event_1_id_seq')) INHERITS (pgque.event_1)
	WITH (fillfactor = 100, autovacuum_enabled = off, toast.autovacuum_enabled = off);
CREATE TABLE pgque.event_1_1 (ev_id bigint NOT NULL DEFAULT nextval('pgque.event_1_id_seq')) INHERITS (pgque.event_1)
	WITH (fillfactor = 100, autovacuum_enabled = off, toast.autovacuum_enabled = off);
CREATE TABLE pgque.event_1_2 (ev_id bigint NOT NULL DEFAULT nextval('pgque.event_1_id_seq')) INHERITS (pgque.event_1)
	WITH (fillfactor = 100, autovacuum_enabled = off, toast.autovacuum_enabled = off);
CREATE INDEX event_1_0_txid_idx ON pgque.event_1_0 (ev_txid);
CREATE INDEX event_1_1_txid_idx ON pgque.event_1_1 (ev_txid);
CREATE INDEX event_1_2_txid_idx ON pgque.event_1_2 (ev_txid);
GRANT SELECT ON pgque.event_1, pgque.event_1_0, pgque.event_1_1, pgque.event_1_2 TO pgque_reader;
GRANT SELECT ON pgque.event_1_id_seq, pgque.event_1_tick_seq TO PUBLIC;
-- The first tick, then the consumers: billing and audit read everything; probe is for
-- the two-session check.
INSERT INTO pgque.tick (tick_queue, tick_id, tick_event_seq) VALUES (1, nextval('pgque.event_1_tick_seq'), 0);
INSERT INTO pgque.consumer (co_name) VALUES ('billing'), ('audit'), ('probe');
INSERT INTO pgque.subscription (sub_queue, sub_consumer, sub_last_tick)
SELECT 1, co_id, 1 FROM pgque.consumer ORDER BY co_id;
-- order-1..5, tick 2; order-6..8, tick 3.
INSERT INTO pgque.event_1_0 (ev_time, ev_type, ev_data)
SELECT now(), 'order', 'order-' || g FROM generate_series(1, 5) g;
INSERT INTO pgque.tick (tick_queue, tick_id, tick_event_seq)
VALUES (1, nextval('pgque.event_1_tick_seq'), (SELECT last_value FROM pgque.event_1_id_seq));
INSERT INTO pgque.event_1_0 (ev_time, ev_type, ev_data)
SELECT now(), 'order', 'order-' || g FROM generate_series(6, 8) g;
INSERT INTO pgque.tick (tick_queue, tick_id, tick_event_seq)
VALUES (1, nextval('pgque.event_1_tick_seq'), (SELECT last_value FROM pgque.event_1_id_seq));
-- billing holds an open batch over tick 1 -> 2 (order-1..5).
UPDATE pgque.subscription SET sub_batch = nextval('pgque.batch_id_seq'), sub_next_tick = 2, sub_active = now()
WHERE sub_consumer = (SELECT co_id FROM pgque.consumer WHERE co_name = 'billing');
-- billing's retries of events from before: one due now, one due tomorrow.
INSERT INTO pgque.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data)
SELECT now() - interval '1 minute', 1, 900, now() - interval '1 hour', s.sub_id, 1, 'order', 'order-0-retried'
FROM pgque.subscription s JOIN pgque.consumer c ON c.co_id = s.sub_consumer WHERE c.co_name = 'billing';
INSERT INTO pgque.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data)
SELECT now() + interval '1 day', 1, 901, now() - interval '1 hour', s.sub_id, 2, 'order', 'order-00-later'
FROM pgque.subscription s JOIN pgque.consumer c ON c.co_id = s.sub_consumer WHERE c.co_name = 'billing';
-- audit's dead letters.
INSERT INTO pgque.dead_letter (dl_queue_id, dl_consumer_id, dl_reason, ev_id, ev_time, ev_txid, ev_retry, ev_type, ev_data)
SELECT 1, c.co_id, 'poison', 800 + g, now() - interval '2 hours', NULL, 5, 'order', 'dead-' || g
FROM pgque.consumer c, generate_series(1, 2) g WHERE c.co_name = 'audit';
