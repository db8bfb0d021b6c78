package io.pgque.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags of the {@code pgque.send} observation; declare a bean to replace
 * {@link DefaultPgqueSendObservationConvention}.
 *
 * @author pgque-spring-boot authors
 */
public interface PgqueSendObservationConvention extends ObservationConvention<PgqueSendContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof PgqueSendContext;
	}

}
