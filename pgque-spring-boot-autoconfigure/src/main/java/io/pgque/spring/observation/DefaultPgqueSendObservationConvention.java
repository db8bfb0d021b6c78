package io.pgque.spring.observation;

import io.micrometer.common.KeyValues;

/**
 * The default names and tags of {@code pgque.send}: low-cardinality {@code queue} and
 * {@code type}; the first event id and the count as high-cardinality values.
 *
 * @author pgque-spring-boot authors
 */
public class DefaultPgqueSendObservationConvention implements PgqueSendObservationConvention {

	/**
	 * The observation name.
	 */
	public static final String NAME = "pgque.send";

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(PgqueSendContext context) {
		return context.getQueue() + " send";
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(PgqueSendContext context) {
		return KeyValues.of("queue", context.getQueue(), "type", context.getType());
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(PgqueSendContext context) {
		KeyValues values = KeyValues.of("pgque.event.count", Integer.toString(context.getCount()));
		if (!context.getEventIds().isEmpty()) {
			values = values.and("pgque.event.id", Long.toString(context.getEventIds().get(0)));
		}
		return values;
	}

}
