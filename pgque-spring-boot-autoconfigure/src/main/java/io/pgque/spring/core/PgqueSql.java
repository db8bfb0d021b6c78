package io.pgque.spring.core;

/**
 * The engine statements the starter issues, in one place: the template's and the listener
 * containers' ({@code PgqueConsumerJdbc}); both run them through
 * {@link PgqueErrorTranslator}. The template's statements call functions of the engine's
 * public API (see docs/sql-api.md), so the template works against any PgQue 0.2 install;
 * only the dead-letter listing and counts read the engine's tables.
 * <p>
 * Public only for the starter's own packages; not an API.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueSql {

	static final String SEND_TEXT = "SELECT pgque.send(?, ?, ?::text)";

	static final String SEND_JSON = "SELECT pgque.send(?, ?, ?::jsonb)";

	static final String SEND_BATCH_TEXT = "SELECT pgque.send_batch(?, ?, ?::text[])";

	// A text[] of JSON documents, each made the canonical text jsonb stores, in list
	// order: how a JSON batch goes to send_batch's text overload. Row by row, because a
	// jsonb[] parameter (or a text[]::jsonb[] cast) cost as much per event at 100
	// elements and 2-3 times as much at 1,000 (measured; see docs/benchmarks.md).
	private static final String CANONICAL_JSON_ARRAY = "ARRAY(SELECT d.doc::jsonb::text"
			+ " FROM unnest(?::text[]) WITH ORDINALITY AS d(doc, n) ORDER BY d.n)";

	static final String SEND_BATCH_JSON = "SELECT pgque.send_batch(?, ?, " + CANONICAL_JSON_ARRAY + ")";

	// Several types in one batch: still one statement, sending row by row in array order
	static final String SEND_MIXED_TEXT = "SELECT array_agg(pgque.send(q.queue, t.type, t.payload) ORDER BY t.n)"
			+ " FROM (SELECT ?::text AS queue) q, unnest(?::text[], ?::text[]) WITH ORDINALITY AS t(type, payload, n)";

	static final String SEND_MIXED_JSON = "SELECT array_agg(pgque.send(q.queue, t.type, t.payload::jsonb) ORDER BY t.n)"
			+ " FROM (SELECT ?::text AS queue) q, unnest(?::text[], ?::text[]) WITH ORDINALITY AS t(type, payload, n)";

	// With a trace context: insert_event takes the four extra fields; the context goes to
	// ev_extra4 (extra1 and extra2 are the partition and idempotency keys of the extended
	// API). jsonb is stored as its canonical text, as send does.
	static final String SEND_TRACED_TEXT = "SELECT pgque.insert_event(?, ?, ?::text, NULL, NULL, NULL, ?)";

	static final String SEND_TRACED_JSON = "SELECT pgque.insert_event(?, ?, ?::jsonb::text, NULL, NULL, NULL, ?)";

	// A traced batch of one type: set-based like SEND_BATCH_*, the trace context stored
	// in
	// ev_extra4 of every event (one observation, one context)
	static final String SEND_TRACED_BATCH_TEXT = "SELECT pgque.send_batch(?, ?, ?::text[], ?::text)";

	static final String SEND_TRACED_BATCH_JSON = "SELECT pgque.send_batch(?, ?, " + CANONICAL_JSON_ARRAY + ", ?::text)";

	// A traced batch of several types: one statement, row by row through insert_event
	static final String SEND_TRACED_MIXED_TEXT = "SELECT array_agg(pgque.insert_event(q.queue, t.type, t.payload,"
			+ " NULL, NULL, NULL, q.trace) ORDER BY t.n) FROM (SELECT ?::text AS queue, ?::text AS trace) q,"
			+ " unnest(?::text[], ?::text[]) WITH ORDINALITY AS t(type, payload, n)";

	static final String SEND_TRACED_MIXED_JSON = "SELECT array_agg(pgque.insert_event(q.queue, t.type,"
			+ " t.payload::jsonb::text, NULL, NULL, NULL, q.trace) ORDER BY t.n) FROM (SELECT ?::text AS queue,"
			+ " ?::text AS trace) q, unnest(?::text[], ?::text[]) WITH ORDINALITY AS t(type, payload, n)";

	// Sends with a partition key (extended API §B): the contract's send overloads; with a
	// trace context insert_event, which takes the key as extra1 and the trace as extra4
	static final String SEND_KEYED_TEXT = "SELECT pgque.send(?, ?, ?::text, ?)";

	static final String SEND_KEYED_JSON = "SELECT pgque.send(?, ?, ?::jsonb, ?)";

	static final String SEND_KEYED_TRACED_TEXT = "SELECT pgque.insert_event(?, ?, ?::text, ?, NULL, NULL, ?)";

	static final String SEND_KEYED_TRACED_JSON = "SELECT pgque.insert_event(?, ?, ?::jsonb::text, ?, NULL, NULL, ?)";

	// One statement, row by row in list order (a NULL trace stores nothing)
	static final String SEND_KEYED_BATCH_TEXT = "SELECT array_agg(pgque.insert_event(q.queue, t.type, t.payload,"
			+ " t.pkey, NULL, NULL, q.trace) ORDER BY t.n) FROM (SELECT ?::text AS queue, ?::text AS trace) q,"
			+ " unnest(?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS t(type, payload, pkey, n)";

	static final String SEND_KEYED_BATCH_JSON = "SELECT array_agg(pgque.insert_event(q.queue, t.type,"
			+ " t.payload::jsonb::text, t.pkey, NULL, NULL, q.trace) ORDER BY t.n) FROM (SELECT ?::text AS queue,"
			+ " ?::text AS trace) q, unnest(?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS t(type, payload, pkey, n)";

	// Idempotent and delayed sends (extended API): the TTL and delay go over as seconds
	static final String SEND_IDEM_TEXT = "SELECT event_id, deduped FROM pgque.send_idem(?, ?, ?::text, ?,"
			+ " make_interval(secs => ?))";

	static final String SEND_IDEM_JSON = "SELECT event_id, deduped FROM pgque.send_idem(?, ?, ?::jsonb, ?,"
			+ " make_interval(secs => ?))";

	// scheduled is decided as send_at decides it, in the same statement
	static final String SEND_AT_TEXT = "SELECT pgque.send_at(?, ?, ?::text, t.at), t.at > now()"
			+ " FROM (SELECT ?::timestamptz AS at) t";

	static final String SEND_AT_JSON = "SELECT pgque.send_at(?, ?, ?::jsonb, t.at), t.at > now()"
			+ " FROM (SELECT ?::timestamptz AS at) t";

	static final String SEND_AFTER_TEXT = "SELECT pgque.send_at(?, ?, ?::text, t.at), t.at > now()"
			+ " FROM (SELECT now() + make_interval(secs => ?) AS at) t";

	static final String SEND_AFTER_JSON = "SELECT pgque.send_at(?, ?, ?::jsonb, t.at), t.at > now()"
			+ " FROM (SELECT now() + make_interval(secs => ?) AS at) t";

	// The same with the trace context for ev_extra4, last (the engine's extra4 overloads)
	static final String SEND_IDEM_TRACED_TEXT = "SELECT event_id, deduped FROM pgque.send_idem(?, ?, ?::text, ?,"
			+ " make_interval(secs => ?), NULL::text, ?::text)";

	static final String SEND_IDEM_TRACED_JSON = "SELECT event_id, deduped FROM pgque.send_idem(?, ?, ?::jsonb, ?,"
			+ " make_interval(secs => ?), NULL::text, ?::text)";

	static final String SEND_AT_TRACED_TEXT = "SELECT pgque.send_at(?, ?, ?::text, t.at, t.trace), t.at > now()"
			+ " FROM (SELECT ?::timestamptz AS at, ?::text AS trace) t";

	static final String SEND_AT_TRACED_JSON = "SELECT pgque.send_at(?, ?, ?::jsonb, t.at, t.trace), t.at > now()"
			+ " FROM (SELECT ?::timestamptz AS at, ?::text AS trace) t";

	static final String SEND_AFTER_TRACED_TEXT = "SELECT pgque.send_at(?, ?, ?::text, t.at, t.trace), t.at > now()"
			+ " FROM (SELECT now() + make_interval(secs => ?) AS at, ?::text AS trace) t";

	static final String SEND_AFTER_TRACED_JSON = "SELECT pgque.send_at(?, ?, ?::jsonb, t.at, t.trace), t.at > now()"
			+ " FROM (SELECT now() + make_interval(secs => ?) AS at, ?::text AS trace) t";

	static final String RECEIVE = "SELECT msg_id, batch_id, type, payload, retry_count, created_at,"
			+ " extra1, extra2, extra3, extra4 FROM pgque.receive(?, ?, ?)";

	static final String ACK = "SELECT pgque.ack(?)";

	// nack reads only msg_id from the message, but gets the whole row as received
	static final String NACK = "SELECT pgque.nack(?, ROW(?::bigint, ?::bigint, ?::text, ?::text, ?::int4,"
			+ " ?::timestamptz, ?::text, ?::text, ?::text, ?::text)::pgque.message, ?::interval, ?::text)";

	static final String FORCE_NEXT_TICK = "SELECT pgque.force_next_tick(?)";

	static final String TICKER_QUEUE = "SELECT pgque.ticker(?)";

	static final String TICKER = "SELECT pgque.ticker()";

	public static final String CREATE_QUEUE = "SELECT pgque.create_queue(?)";

	// a new queue's sequence reports the same value before and after its first event,
	// which would then not count towards ticker_max_count (see PgqueQueueDeclarer)
	static final String ADVANCE_EVENT_SEQUENCE = "SELECT nextval(queue_event_seq) FROM pgque.queue WHERE queue_name = ?";

	static final String DROP_QUEUE = "SELECT pgque.drop_queue(?, ?)";

	// every setting in one statement: all of them apply, or none
	static final String SET_QUEUE_CONFIG = """
			SELECT count(pgque.set_queue_config(?, s.name, s.value))
			FROM unnest(?::text[], ?::text[]) AS s(name, value)""";

	static final String SUBSCRIBE = "SELECT pgque.subscribe(?, ?)";

	static final String UNSUBSCRIBE = "SELECT pgque.unsubscribe(?, ?)";

	private static final String QUEUE_INFO_COLUMNS = "SELECT queue_name, queue_ntables, queue_cur_table,"
			+ " extract(epoch FROM queue_rotation_period) AS queue_rotation_period, queue_switch_time,"
			+ " queue_external_ticker, queue_ticker_paused, queue_ticker_max_count,"
			+ " extract(epoch FROM queue_ticker_max_lag) AS queue_ticker_max_lag,"
			+ " extract(epoch FROM queue_ticker_idle_period) AS queue_ticker_idle_period,"
			+ " extract(epoch FROM ticker_lag) AS ticker_lag, ev_per_sec, ev_new, last_tick_id";

	static final String QUEUE_INFO_ALL = QUEUE_INFO_COLUMNS + " FROM pgque.get_queue_info()";

	static final String QUEUE_INFO = QUEUE_INFO_COLUMNS + " FROM pgque.get_queue_info(?)";

	private static final String CONSUMER_INFO_COLUMNS = "SELECT queue_name, consumer_name,"
			+ " extract(epoch FROM lag) AS lag, extract(epoch FROM last_seen) AS last_seen,"
			+ " last_tick, current_batch, next_tick, pending_events";

	static final String CONSUMER_INFO_ALL = CONSUMER_INFO_COLUMNS + " FROM pgque.get_consumer_info()";

	static final String CONSUMER_INFO_QUEUE = CONSUMER_INFO_COLUMNS + " FROM pgque.get_consumer_info(?)";

	static final String CONSUMER_INFO = CONSUMER_INFO_COLUMNS + " FROM pgque.get_consumer_info(?, ?)";

	// An unknown batch gives one all-NULL row
	static final String BATCH_INFO = "SELECT queue_name, consumer_name, batch_start, batch_end, prev_tick_id,"
			+ " tick_id, extract(epoch FROM lag) AS lag, seq_start, seq_end FROM pgque.get_batch_info(?)"
			+ " WHERE queue_name IS NOT NULL";

	static final String STATUS = "SELECT component, status, detail FROM pgque.status()";

	static final String VERSION = "SELECT pgque.version()";

	static final String DLQ_INSPECT = "SELECT d.dl_id, ?::text AS queue_name, c.co_name AS consumer_name,"
			+ " d.dl_time, d.dl_reason, d.ev_id, d.ev_time, d.ev_retry, d.ev_type, d.ev_data,"
			+ " d.ev_extra1, d.ev_extra2, d.ev_extra3, d.ev_extra4"
			+ " FROM pgque.dlq_inspect(?, ?) d LEFT JOIN pgque.consumer c ON c.co_id = d.dl_consumer_id"
			+ " ORDER BY d.dl_time DESC, d.dl_id DESC";

	static final String DLQ_COUNTS = "SELECT q.queue_name, count(*) FROM pgque.dead_letter d"
			+ " JOIN pgque.queue q ON q.queue_id = d.dl_queue_id GROUP BY q.queue_name";

	static final String DLQ_REPLAY = "SELECT pgque.dlq_replay(?)";

	static final String DLQ_REPLAY_ALL = "SELECT replayed, failed, first_error FROM pgque.dlq_replay_all(?)";

	static final String DLQ_PURGE = "SELECT pgque.dlq_purge(?, ?::interval)";

	// The listener containers' statements (PgqueConsumerJdbc)

	/**
	 * Whether the queue exists and the consumer is subscribed to it, in one question:
	 * queue name, queue name, consumer name.
	 */
	public static final String QUEUE_AND_SUBSCRIPTION = """
			SELECT EXISTS (SELECT 1 FROM pgque.queue WHERE queue_name = ?) AS queue,
			    EXISTS (SELECT 1 FROM pgque.subscription s
			        JOIN pgque.queue q ON q.queue_id = s.sub_queue
			        JOIN pgque.consumer c ON c.co_id = s.sub_consumer
			        WHERE q.queue_name = ? AND c.co_name = ?) AS subscribed""";

	/**
	 * Subscribe a consumer; 1 when this call subscribed it.
	 */
	public static final String REGISTER_CONSUMER = "SELECT pgque.register_consumer(?, ?)";

	/**
	 * Open (or re-open) the consumer's batch and read its first page: queue, consumer,
	 * page size.
	 */
	public static final String OPEN_BATCH = openBatch("");

	/**
	 * {@link #OPEN_BATCH} while an advisory lease is held: queue, consumer, the lease's
	 * witness, page size. A shared try-lock on the witness fails exactly while the lease
	 * session holds it; then the statement answers no row at all.
	 */
	public static final String OPEN_BATCH_WHILE_LEASED = openBatch(
			"WHERE NOT pg_catalog.pg_try_advisory_xact_lock_shared(?)");

	/**
	 * {@link #OPEN_BATCH} under a table lease: queue, consumer, the lease's epoch, page
	 * size. next_batch_leased checks the epoch in the same statement, and raises (undoing
	 * the open) when the lease is not held.
	 */
	public static final String OPEN_BATCH_WITH_EPOCH = openBatch("").replace("pgque.next_batch(?, ?)",
			"pgque.next_batch_leased(?, ?, ?)");

	/**
	 * Open a cooperative member's batch (its own, a silent member's taken over, or the
	 * next window): queue, consumer, subconsumer, dead interval. Commit at once and read
	 * the batch in another transaction: the call locks the group's rows.
	 */
	public static final String OPEN_BATCH_AS_MEMBER = "SELECT pgque.next_batch(?, ?, ?, ?::interval)";

	/**
	 * The events after a page, for a batch bigger than a page: batch id, batch id, last
	 * event id read, page size. The engine's query orders the batch by id, so the first
	 * page needs no ORDER BY (its reader checks the order).
	 */
	public static final String READ_PAGE = """
			SELECT ?::bigint, e.ev_id, e.ev_time, e.ev_retry, e.ev_type, e.ev_data,
			    e.ev_extra1, e.ev_extra2, e.ev_extra3, e.ev_extra4
			FROM pgque.get_batch_events(?) e WHERE e.ev_id > ? ORDER BY e.ev_id LIMIT ?""";

	/**
	 * Finish a batch: batch id.
	 */
	public static final String FINISH_BATCH = "SELECT pgque.finish_batch(?)";

	/**
	 * Finish a batch opened under a table lease, checking the lease's epoch: batch id,
	 * queue, consumer, epoch.
	 */
	public static final String FINISH_BATCH_LEASED = "SELECT pgque.finish_batch_leased(?, ?, ?, ?)";

	/**
	 * Nack one event by its id: batch id, event id, batch id, delay, reason. nack reads
	 * the canonical event by id, so the other fields of the message are left empty.
	 */
	public static final String NACK_EVENT = """
			SELECT pgque.nack(?, ROW(?, ?, NULL, NULL, NULL, now(), NULL, NULL, NULL, NULL)::pgque.message,
			    ?::interval, ?)""";

	/**
	 * Whether a nacked event waits in the retry queue (it was not dead-lettered): queue,
	 * event id.
	 */
	public static final String RETRY_PENDING = """
			SELECT EXISTS (SELECT 1 FROM pgque.retry_queue r JOIN pgque.queue q ON q.queue_id = r.ev_queue
			    WHERE q.queue_name = ? AND r.ev_id = ?)""";

	private static final String DEAD_LETTER = """
			SELECT pgque.event_dead(?, e.ev_id, ?, e.ev_time, e.ev_txid::text::xid8, e.ev_retry, e.ev_type,
			    e.ev_data, e.ev_extra1, e.ev_extra2, e.ev_extra3, e.ev_extra4)
			FROM %s""";

	/**
	 * Dead-letter one event of an open batch, reading only that event: batch id, reason,
	 * batch id, event id.
	 */
	public static final String DEAD_LETTER_ONE_EVENT = DEAD_LETTER.formatted("pgque.get_batch_event(?, ?) e");

	/**
	 * {@link #DEAD_LETTER_ONE_EVENT} for an upstream PgQue install (validate and patch
	 * modes), which lacks get_batch_event: the whole batch is read.
	 */
	public static final String DEAD_LETTER_FROM_BATCH = DEAD_LETTER
		.formatted("pgque.get_batch_events(?) e WHERE e.ev_id = ?");

	/**
	 * Whether the login may execute event_dead (granted to pgque_admin), and whether the
	 * engine has get_batch_event.
	 */
	public static final String DEAD_LETTER_SUPPORT = """
			SELECT pg_catalog.has_function_privilege('pgque.event_dead(bigint, bigint, text, timestamptz,
			    xid8, integer, text, text, text, text, text, text)', 'EXECUTE'),
			    pg_catalog.to_regprocedure('pgque.get_batch_event(bigint, bigint)') IS NOT NULL""";

	/** A cooperative member joins its consumer's group (converting a plain consumer). */
	public static final String JOIN_GROUP = "SELECT pgque.register_subconsumer(?, ?, ?, true)";

	/** A cooperative member leaves its group, handing an open batch back (retried). */
	public static final String LEAVE_GROUP = "SELECT pgque.unregister_subconsumer(?, ?, ?, 1)";

	/** The members of a group silent for longer than an interval. */
	public static final String SILENT_MEMBERS = """
			SELECT substr(mc.co_name, length(?) + 2)
			FROM pgque.queue q
			JOIN pgque.consumer c ON c.co_name = ?
			JOIN pgque.subscription s ON s.sub_queue = q.queue_id AND s.sub_consumer = c.co_id
			    AND s.sub_role = 'coop_main'
			JOIN pgque.subscription m ON m.sub_queue = q.queue_id AND m.sub_id = s.sub_id AND m.sub_role = 'coop_member'
			JOIN pgque.consumer mc ON mc.co_id = m.sub_consumer
			WHERE q.queue_name = ? AND m.sub_active < now() - ?::interval
			ORDER BY mc.co_name""";

	/** The heartbeat of a container's members; returns those the engine does not know. */
	public static final String TOUCH_MEMBERS = """
			SELECT m FROM pg_catalog.unnest(?::text[]) m WHERE pgque.touch_subconsumer(?, ?, m) = 0""";

	/** A table lease: taken, renewed for every lease of an owner, given up. */
	public static final String LEASE_ACQUIRE = "SELECT pgque.lease_acquire(?, ?, ?, make_interval(secs => ?))";

	public static final String LEASE_RENEW = """
			SELECT queue, consumer, epoch FROM pgque.lease_renew(?, make_interval(secs => ?))""";

	public static final String LEASE_RELEASE = "SELECT pgque.lease_release(?, ?, ?, ?)";

	/**
	 * A keyed worker's slot: its batch (only its keys), finished or handed back under the
	 * fence.
	 */
	public static final String SLOT_RECEIVE = """
			SELECT m.batch_id, m.msg_id, m.created_at, m.retry_count, m.type, m.payload,
			    m.extra1, m.extra2, m.extra3, m.extra4
			FROM pgque.receive_partitioned(?, ?, ?, ?, ?, 2147483647) m""";

	/** A slot's cursor, read after a receive that returned nothing. */
	public static final String SLOT_CURSOR = """
			SELECT s.sub_last_tick FROM pgque.subscription s JOIN pgque.queue q ON q.queue_id = s.sub_queue
			JOIN pgque.consumer c ON c.co_id = s.sub_consumer WHERE q.queue_name = ? AND c.co_name = ?""";

	public static final String SLOT_ACK = "SELECT pgque.ack_partitioned(?, ?, ?, ?, ?, ?, ?)";

	public static final String SLOT_NACK = """
			SELECT pgque.nack_partitioned(?, ?, ?, ?, ?,
			    ROW(?, ?, NULL, NULL, NULL, now(), NULL, NULL, NULL, NULL)::pgque.message, ?::interval, ?)""";

	/**
	 * Whether the queue exists, and how many of a keyed consumer's slots are subscribed.
	 */
	public static final String KEY_SLOTS_STATE = """
			SELECT EXISTS (SELECT 1 FROM pgque.queue WHERE queue_name = ?) AS queue,
			    (SELECT count(*) FROM pgque.subscription s JOIN pgque.queue q ON q.queue_id = s.sub_queue
			        JOIN pgque.consumer c ON c.co_id = s.sub_consumer
			        WHERE q.queue_name = ? AND c.co_name IN (SELECT ? || '#' || g || '/' || ?
			            FROM pg_catalog.generate_series(0, ? - 1) g)) AS subscribed""";

	public static final String SUBSCRIBE_SLOTS = "SELECT pgque.subscribe_slots(?, ?, ?)";

	/** A slot's lease: claimed (or renewed), given back. */
	public static final String CLAIM_SLOT = "SELECT pgque.claim_slot(?, ?, ?, ?, ?::interval)";

	public static final String RELEASE_SLOT = "SELECT pgque.release_slot(?, ?, ?, ?)";

	/**
	 * The leases a worker holds, renewed in one statement: the slots renewed, with
	 * epochs.
	 */
	public static final String RENEW_SLOTS = """
			SELECT renewed_slot, lease_epoch FROM pgque.renew_slots(?, ?, ?, ?::int[], ?::interval)""";

	/** A keyed worker's presence: alive (with how the slots stand), gone. */
	public static final String SLOT_WORKER_BEAT = """
			SELECT alive, free, hungry FROM pgque.slot_worker_beat(?, ?, ?, ?::interval)""";

	public static final String SLOT_WORKER_LEAVE = "SELECT pgque.slot_worker_leave(?, ?, ?)";

	private PgqueSql() {
	}

	// next_batch runs once, and only if the condition holds: a subquery with a volatile
	// function is never pulled up, so the lateral read and the outer column see the one
	// batch id it returned. The LIMIT keeps the lateral subquery whole, so its WHERE
	// gates the call (get_batch_events(NULL) raises) instead of filtering after it.
	private static String openBatch(String condition) {
		return """
				SELECT b.batch_id, e.ev_id, e.ev_time, e.ev_retry, e.ev_type, e.ev_data,
				    e.ev_extra1, e.ev_extra2, e.ev_extra3, e.ev_extra4
				FROM (SELECT pgque.next_batch(?, ?) AS batch_id %s) b
				LEFT JOIN LATERAL (SELECT * FROM pgque.get_batch_events(b.batch_id)
				    WHERE b.batch_id IS NOT NULL LIMIT ?) e ON true""".formatted(condition);
	}

}
