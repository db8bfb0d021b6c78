package io.pgque.spring.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Which optional engine functions the database has, asked once per function. The template
 * stores a trace context through functions only this engine has; against an upstream
 * PgQue install (validate mode) it sends without them instead of failing.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueEngineFunctions {

	/** The set-based send_batch that stores a trace context on every event. */
	static final String SEND_BATCH_WITH_EXTRA4 = "pgque.send_batch(text,text,text[],text)";

	/** send_idem with a trace context. */
	static final String SEND_IDEM_WITH_EXTRA4 = "pgque.send_idem(text,text,text,text,interval,text,text)";

	/** send_at with a trace context. */
	static final String SEND_AT_WITH_EXTRA4 = "pgque.send_at(text,text,text,timestamptz,text)";

	private static final String EXISTS = "SELECT pg_catalog.to_regprocedure(?) IS NOT NULL";

	private final JdbcTemplate jdbc;

	private final Map<String, Boolean> known = new ConcurrentHashMap<>();

	PgqueEngineFunctions(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Whether the engine has a function; the first answer is kept.
	 * @param signature the function's regprocedure text
	 * @return whether it exists
	 */
	boolean has(String signature) {
		return this.known.computeIfAbsent(signature,
				(name) -> Boolean.TRUE.equals(this.jdbc.queryForObject(EXISTS, Boolean.class, name)));
	}

}
