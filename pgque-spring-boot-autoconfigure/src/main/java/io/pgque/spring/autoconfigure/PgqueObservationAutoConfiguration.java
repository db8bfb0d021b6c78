package io.pgque.spring.autoconfigure;

import io.micrometer.observation.ObservationRegistry;
import io.pgque.spring.core.PgqueOperations;
import io.pgque.spring.observation.PgqueProcessObservation;
import io.pgque.spring.observation.PgqueProcessObservationConvention;
import io.pgque.spring.observation.PgqueSendObservation;
import io.pgque.spring.observation.PgqueSendObservationConvention;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Observations {@code pgque.send} and {@code pgque.process} on the application's
 * {@link ObservationRegistry} ({@code pgque.observation.enabled}); replace their
 * conventions by declaring {@link PgqueSendObservationConvention} or
 * {@code PgqueProcessObservationConvention} beans.
 *
 * @author pgque-spring-boot authors
 */
@AutoConfiguration(after = { PgqueAutoConfiguration.class, ObservationAutoConfiguration.class })
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean({ ObservationRegistry.class, PgqueOperations.class })
@ConditionalOnBooleanProperty(name = "pgque.observation.enabled", matchIfMissing = true)
public final class PgqueObservationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	PgqueSendObservation pgqueSendObservation(ObservationRegistry observationRegistry,
			ObjectProvider<PgqueSendObservationConvention> convention) {
		return new PgqueSendObservation(observationRegistry, convention.getIfUnique());
	}

	@Bean
	@ConditionalOnMissingBean
	PgqueProcessObservation pgqueProcessObservation(ObservationRegistry observationRegistry,
			ObjectProvider<PgqueProcessObservationConvention> convention) {
		return new PgqueProcessObservation(observationRegistry, convention.getIfUnique());
	}

}
