package io.pgque.spring.core;

import java.util.Set;

/**
 * Which engine role grants each engine function, as {@code 190-roles-grants.sql} grants
 * them; keep the two in step.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueRoles {

	static final String READER = "pgque_reader";

	static final String WRITER = "pgque_writer";

	static final String ADMIN = "pgque_admin";

	private static final Set<String> READER_FUNCTIONS = Set.of("register_consumer", "register_consumer_at",
			"unregister_consumer", "subscribe", "unsubscribe", "next_batch", "next_batch_info", "next_batch_custom",
			"get_batch_events", "get_batch_event", "batch_event_sql", "batch_event_tables", "batch_window",
			"finish_batch", "event_retry", "receive", "ack", "nack", "get_queue_info", "get_consumer_info",
			"get_batch_info", "version", "dlq_inspect", "register_subconsumer", "unregister_subconsumer",
			"subscribe_subconsumer", "unsubscribe_subconsumer", "receive_coop", "touch_subconsumer");

	private static final Set<String> WRITER_FUNCTIONS = Set.of("insert_event", "send", "send_batch", "dlq_replay",
			"dlq_replay_all");

	private PgqueRoles() {
	}

	/**
	 * The role that may execute an engine function.
	 * @param function the function name, with or without the {@code pgque.} prefix
	 * @return the role
	 */
	static String forFunction(String function) {
		String name = function.startsWith("pgque.") ? function.substring("pgque.".length()) : function;
		if (READER_FUNCTIONS.contains(name)) {
			return READER;
		}
		return WRITER_FUNCTIONS.contains(name) ? WRITER : ADMIN;
	}

}
