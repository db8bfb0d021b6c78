package io.pgque.spring.autoconfigure;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.pgque.spring.core.PgqueOperations;
import io.pgque.spring.observation.PgqueBatchProcessObservationConvention;
import io.pgque.spring.observation.PgqueBatchProcessTracingHandler;
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
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * Observations {@code pgque.send} and {@code pgque.process} on the application's
 * {@link ObservationRegistry} ({@code pgque.observation.enabled}), and
 * {@code pgque.process.batch} for a batch listener's call; replace their conventions by
 * declaring {@link PgqueSendObservationConvention},
 * {@code PgqueProcessObservationConvention} or
 * {@code PgqueBatchProcessObservationConvention} beans. With a Micrometer {@link Tracer},
 * the batch span links to the span of each of its messages.
 *
 * @author pgque-spring-boot authors
 */
@AutoConfiguration(after = { PgqueAutoConfiguration.class, ObservationAutoConfiguration.class },
		afterName = "org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration")
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
			ObjectProvider<PgqueProcessObservationConvention> convention,
			ObjectProvider<PgqueBatchProcessObservationConvention> batchConvention) {
		return new PgqueProcessObservation(observationRegistry, convention.getIfUnique(),
				batchConvention.getIfUnique());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Tracer.class)
	@ConditionalOnBean(Tracer.class)
	static class BatchTracingConfiguration {

		/**
		 * Before Micrometer's receiver (1000) and default tracing handlers, which would
		 * otherwise take the batch observation and make a span without links.
		 */
		static final int ORDER = 500;

		@Bean
		@ConditionalOnMissingBean
		@Order(ORDER)
		PgqueBatchProcessTracingHandler pgqueBatchProcessTracingHandler(Tracer tracer) {
			return new PgqueBatchProcessTracingHandler(tracer);
		}

	}

}
