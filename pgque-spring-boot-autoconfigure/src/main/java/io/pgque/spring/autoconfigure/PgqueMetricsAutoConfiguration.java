package io.pgque.spring.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.pgque.spring.core.PgqueAdminOperations;
import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.metrics.PgqueContainerMetrics;
import io.pgque.spring.metrics.PgqueListenerMetrics;
import io.pgque.spring.metrics.PgqueMetrics;
import io.pgque.spring.metrics.PgqueSendMetrics;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Micrometer meters of queues, consumers, sends and listeners
 * ({@code pgque.metrics.enabled}).
 *
 * @author pgque-spring-boot authors
 */
@AutoConfiguration(after = { PgqueAutoConfiguration.class, MetricsAutoConfiguration.class,
		CompositeMeterRegistryAutoConfiguration.class })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ PgqueAdminOperations.class, MeterRegistry.class })
@ConditionalOnBooleanProperty(name = "pgque.metrics.enabled", matchIfMissing = true)
public final class PgqueMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@DependsOnDatabaseInitialization
	PgqueMetrics pgqueMetrics(PgqueAdminOperations pgqueAdminOperations, PgqueProperties properties,
			Environment environment) {
		return new PgqueMetrics(pgqueAdminOperations, properties.getMetrics().getRefreshInterval(),
				PgqueThreads.of(environment, "pgque-metrics-", PgqueMetrics.platformThreads()));
	}

	@Bean
	@ConditionalOnMissingBean
	PgqueSendMetrics pgqueSendMetrics(MeterRegistry meterRegistry) {
		return new PgqueSendMetrics(meterRegistry);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(PgqueListener.class)
	static class ListenerMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		PgqueListenerMetrics pgqueListenerMetrics(MeterRegistry meterRegistry) {
			return new PgqueListenerMetrics(meterRegistry);
		}

		@Bean
		@ConditionalOnMissingBean
		PgqueContainerMetrics pgqueContainerMetrics(MeterRegistry meterRegistry) {
			return new PgqueContainerMetrics(meterRegistry);
		}

	}

}
