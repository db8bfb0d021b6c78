package io.pgque.spring.observation;

import io.micrometer.common.KeyValues;
import io.pgque.spring.core.PgqueMessage;

/**
 * The default names and tags of {@code pgque.process}: low-cardinality {@code queue},
 * {@code consumer}, {@code type} and {@code outcome}; the event id, batch id and attempt
 * as high-cardinality values.
 *
 * @author pgque-spring-boot authors
 */
public class DefaultPgqueProcessObservationConvention implements PgqueProcessObservationConvention {

	/**
	 * The observation name.
	 */
	public static final String NAME = "pgque.process";

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(PgqueProcessContext context) {
		return context.getQueue() + " process";
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(PgqueProcessContext context) {
		String type = context.getMessage().type();
		String outcome = context.getOutcome();
		return KeyValues.of("queue", context.getQueue(), "consumer", context.getConsumer(), "type",
				(type != null) ? type : "none", "outcome", (outcome != null) ? outcome : "none");
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(PgqueProcessContext context) {
		PgqueMessage message = context.getMessage();
		return KeyValues.of("pgque.event.id", Long.toString(message.id()), "pgque.batch.id",
				Long.toString(message.batchId()), "pgque.attempt", Integer.toString(message.attempt()));
	}

}
