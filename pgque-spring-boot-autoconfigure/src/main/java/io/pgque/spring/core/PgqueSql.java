package io.pgque.spring.core;

/**
 * The SQL the template runs, in one place. Every statement calls a function of the
 * engine's public API (see docs/sql-api.md), so the template works against any PgQue 0.2
 * install; only the dead-letter listing and counts read the engine's tables.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueSql {

	static final String SEND_TEXT = "SELECT pgque.send(?, ?, ?::text)";

	static final String SEND_JSON = "SELECT pgque.send(?, ?, ?::jsonb)";

	static final String SEND_BATCH_TEXT = "SELECT pgque.send_batch(?, ?, ?::text[])";

	// The array goes over the wire as text[]; the cast picks the jsonb[] overload
	static final String SEND_BATCH_JSON = "SELECT pgque.send_batch(?, ?, ?::text[]::jsonb[])";

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

	static final String SEND_TRACED_BATCH_TEXT = "SELECT array_agg(pgque.insert_event(q.queue, t.type, t.payload,"
			+ " NULL, NULL, NULL, q.trace) ORDER BY t.n) FROM (SELECT ?::text AS queue, ?::text AS trace) q,"
			+ " unnest(?::text[], ?::text[]) WITH ORDINALITY AS t(type, payload, n)";

	static final String SEND_TRACED_BATCH_JSON = "SELECT array_agg(pgque.insert_event(q.queue, t.type,"
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

	static final String RECEIVE = "SELECT msg_id, batch_id, type, payload, retry_count, created_at,"
			+ " extra1, extra2, extra3, extra4 FROM pgque.receive(?, ?, ?)";

	static final String ACK = "SELECT pgque.ack(?)";

	// nack reads only msg_id from the message, but gets the whole row as received
	static final String NACK = "SELECT pgque.nack(?, ROW(?::bigint, ?::bigint, ?::text, ?::text, ?::int4,"
			+ " ?::timestamptz, ?::text, ?::text, ?::text, ?::text)::pgque.message, ?::interval, ?::text)";

	static final String FORCE_NEXT_TICK = "SELECT pgque.force_next_tick(?)";

	static final String TICKER_QUEUE = "SELECT pgque.ticker(?)";

	static final String TICKER = "SELECT pgque.ticker()";

	static final String CREATE_QUEUE = "SELECT pgque.create_queue(?)";

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

	private PgqueSql() {
	}

}
