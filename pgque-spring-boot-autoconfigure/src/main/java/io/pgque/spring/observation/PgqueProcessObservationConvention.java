package io.pgque.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags of the {@code pgque.process} observation; declare a bean to replace
 * {@link DefaultPgqueProcessObservationConvention}.
 *
 * @author pgque-spring-boot authors
 */
public interface PgqueProcessObservationConvention extends ObservationConvention<PgqueProcessContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof PgqueProcessContext;
	}

}
