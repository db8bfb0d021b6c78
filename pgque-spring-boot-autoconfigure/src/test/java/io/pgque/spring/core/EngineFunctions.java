package io.pgque.spring.core;

import java.util.List;

import org.junit.jupiter.api.Assumptions;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The engine arrives in slices: a test that needs functions not there yet is skipped, and
 * runs as soon as they land.
 */
final class EngineFunctions {

	static final List<String> SEND = List.of("pgque.send(text,text,text)", "pgque.send(text,text,jsonb)",
			"pgque.send_batch(text,text,text[])", "pgque.send_batch(text,text,jsonb[])");

	static final List<String> RECEIVE = List.of("pgque.subscribe(text,text)", "pgque.unsubscribe(text,text)",
			"pgque.receive(text,text,integer)", "pgque.ack(bigint)");

	static final List<String> NACK = List.of("pgque.nack(bigint,pgque.message,interval,text)");

	static final List<String> RETRY = List.of("pgque.maint_retry_events()");

	static final List<String> CONFIG = List.of("pgque.set_queue_config(text,text,text)");

	static final List<String> INFO = List.of("pgque.get_queue_info()", "pgque.get_queue_info(text)",
			"pgque.get_consumer_info()", "pgque.get_consumer_info(text)", "pgque.get_consumer_info(text,text)",
			"pgque.get_batch_info(bigint)");

	static final List<String> DEAD_LETTERS = List.of("pgque.dlq_inspect(text,integer)", "pgque.dlq_replay(bigint)",
			"pgque.dlq_replay_all(text)", "pgque.dlq_purge(text,interval)");

	static final List<String> STATUS = List.of("pgque.status()", "pgque.version()");

	private EngineFunctions() {
	}

	@SafeVarargs
	static void assumePresent(JdbcTemplate jdbc, List<String>... groups) {
		for (List<String> group : groups) {
			for (String signature : group) {
				Assumptions.assumeTrue(exists(jdbc, signature), () -> "the engine has no " + signature + " yet");
			}
		}
	}

	private static boolean exists(JdbcTemplate jdbc, String signature) {
		try {
			return Boolean.TRUE
				.equals(jdbc.queryForObject("SELECT to_regprocedure(?) IS NOT NULL", Boolean.class, signature));
		}
		catch (DataAccessException ex) {
			// An argument type the engine does not define yet
			return false;
		}
	}

}
