package io.pgque.spring.schema;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Everything of the engine the starter calls or reads, with the features that need it:
 * what {@link PgqueSchemaMode#VALIDATE validate} mode checks. Keep it in step with the
 * SQL the starter issues (a test checks the starter's own install passes it).
 *
 * @author pgque-spring-boot authors
 */
final class PgqueEngineRequirements {

	static final String TEMPLATE = "PgqueTemplate";

	static final String LISTENERS = "@PgqueListener containers";

	static final String TICKER = "embedded ticker";

	static final String OBSERVABILITY = "health and metrics";

	static final String DECLARATIONS = "pgque.queues declarations";

	/**
	 * A function as {@code to_regprocedure} names it, and what it must return
	 * ({@code pg_get_function_result}); {@code null} when the result has OUT columns and
	 * is not compared.
	 */
	record Routine(String signature, @Nullable String result, List<String> neededBy) {
	}

	/**
	 * A table and the columns read from it.
	 */
	record Table(String name, List<String> columns, List<String> neededBy) {
	}

	static final List<Routine> ROUTINES = List.of(
			new Routine("pgque.version()", "text", List.of(TEMPLATE, LISTENERS, TICKER, OBSERVABILITY)),
			new Routine("pgque.create_queue(text)", "integer", List.of(TEMPLATE, LISTENERS, DECLARATIONS)),
			new Routine("pgque.drop_queue(text,boolean)", "integer", List.of(TEMPLATE)),
			new Routine("pgque.set_queue_config(text,text,text)", "integer", List.of(DECLARATIONS)),
			new Routine("pgque.send(text,text,text)", "bigint", List.of(TEMPLATE)),
			new Routine("pgque.send(text,text,jsonb)", "bigint", List.of(TEMPLATE)),
			new Routine("pgque.send_batch(text,text,text[])", "bigint[]", List.of(TEMPLATE)),
			new Routine("pgque.send_batch(text,text,jsonb[])", "bigint[]", List.of(TEMPLATE)),
			new Routine("pgque.subscribe(text,text)", "integer", List.of(TEMPLATE)),
			new Routine("pgque.unsubscribe(text,text)", "integer", List.of(TEMPLATE)),
			new Routine("pgque.receive(text,text,integer)", "SETOF pgque.message", List.of(TEMPLATE)),
			new Routine("pgque.ack(bigint)", "integer", List.of(TEMPLATE)),
			new Routine("pgque.nack(bigint,pgque.message,interval,text)", "integer", List.of(TEMPLATE, LISTENERS)),
			new Routine("pgque.force_next_tick(text)", "bigint", List.of(TEMPLATE)),
			new Routine("pgque.status()", null, List.of(TEMPLATE, TICKER)),
			new Routine("pgque.get_queue_info()", null, List.of(TEMPLATE, OBSERVABILITY)),
			new Routine("pgque.get_queue_info(text)", null, List.of(TEMPLATE)),
			new Routine("pgque.get_consumer_info()", null, List.of(TEMPLATE, OBSERVABILITY)),
			new Routine("pgque.get_consumer_info(text)", null, List.of(TEMPLATE)),
			new Routine("pgque.get_consumer_info(text,text)", null, List.of(TEMPLATE)),
			new Routine("pgque.get_batch_info(bigint)", null, List.of(TEMPLATE)),
			new Routine("pgque.dlq_inspect(text,integer)", "SETOF pgque.dead_letter", List.of(TEMPLATE)),
			new Routine("pgque.dlq_replay(bigint)", "bigint", List.of(TEMPLATE)),
			new Routine("pgque.dlq_replay_all(text)", null, List.of(TEMPLATE)),
			new Routine("pgque.dlq_purge(text,interval)", "integer", List.of(TEMPLATE)),
			new Routine("pgque.register_consumer(text,text)", "integer", List.of(LISTENERS)),
			new Routine("pgque.next_batch(text,text)", "bigint", List.of(LISTENERS)),
			new Routine("pgque.get_batch_events(bigint)", null, List.of(LISTENERS)),
			new Routine("pgque.finish_batch(bigint)", "integer", List.of(LISTENERS)),
			new Routine("pgque.event_dead(bigint,bigint,text,timestamptz,xid8,integer,text,text,text,text,text,text)",
					"integer", List.of(LISTENERS)),
			new Routine("pgque.ticker()", "bigint", List.of(TEMPLATE, TICKER)),
			new Routine("pgque.ticker(text)", "bigint", List.of(TEMPLATE)),
			new Routine("pgque.maint_retry_events()", "integer", List.of(TICKER)),
			new Routine("pgque.maint_rotate_tables_step1(text)", "integer", List.of(TICKER)),
			new Routine("pgque.maint_rotate_tables_step2()", "integer", List.of(TICKER)),
			new Routine("pgque.maint()", "integer", List.of(TICKER)),
			new Routine("pgque.maint_operations()", null, List.of(TICKER)));

	static final List<Table> TABLES = List.of(
			new Table("pgque.queue", List.of("queue_id", "queue_name", "queue_event_seq"),
					List.of(LISTENERS, DECLARATIONS, TEMPLATE)),
			new Table("pgque.consumer", List.of("co_id", "co_name"), List.of(LISTENERS, TEMPLATE)),
			new Table("pgque.subscription", List.of("sub_queue", "sub_consumer"), List.of(LISTENERS)),
			new Table("pgque.dead_letter", List.of("dl_queue_id", "dl_consumer_id"), List.of(TEMPLATE)),
			new Table("pgque.retry_queue", List.of("ev_retry_after"), List.of(TICKER)),
			new Table("pgque.config", List.of("scheduler", "ticker_job_id"), List.of(TICKER)));

	private PgqueEngineRequirements() {
	}

}
