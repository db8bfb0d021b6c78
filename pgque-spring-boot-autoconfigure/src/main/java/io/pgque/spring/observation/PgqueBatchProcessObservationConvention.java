package io.pgque.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags of the {@code pgque.process.batch} observation; declare a bean to
 * replace {@link DefaultPgqueBatchProcessObservationConvention}.
 *
 * @author pgque-spring-boot authors
 */
public interface PgqueBatchProcessObservationConvention extends ObservationConvention<PgqueBatchProcessContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof PgqueBatchProcessContext;
	}

}
