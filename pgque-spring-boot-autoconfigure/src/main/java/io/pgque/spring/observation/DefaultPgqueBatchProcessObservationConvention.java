package io.pgque.spring.observation;

import io.micrometer.common.KeyValues;

/**
 * The default names and tags of {@code pgque.process.batch}: low-cardinality
 * {@code queue} and {@code consumer}; the batch id and the number of messages of the call
 * as high-cardinality values.
 *
 * @author pgque-spring-boot authors
 */
public class DefaultPgqueBatchProcessObservationConvention implements PgqueBatchProcessObservationConvention {

	/**
	 * The observation name.
	 */
	public static final String NAME = "pgque.process.batch";

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(PgqueBatchProcessContext context) {
		return context.getQueue() + " process batch";
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(PgqueBatchProcessContext context) {
		return KeyValues.of("queue", context.getQueue(), "consumer", context.getConsumer());
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(PgqueBatchProcessContext context) {
		return KeyValues.of("pgque.batch.id", Long.toString(context.getBatchId()), "pgque.message.count",
				Integer.toString(context.getMessages().size()));
	}

}
