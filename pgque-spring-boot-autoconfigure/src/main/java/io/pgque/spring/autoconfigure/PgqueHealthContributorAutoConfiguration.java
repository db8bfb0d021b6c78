package io.pgque.spring.autoconfigure;

import io.pgque.spring.core.PgqueAdminOperations;
import io.pgque.spring.health.PgqueHealthIndicator;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Health indicator {@code pgque} ({@code management.health.pgque.enabled}).
 *
 * @author pgque-spring-boot authors
 */
@AutoConfiguration(after = PgqueAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(PgqueAdminOperations.class)
@ConditionalOnEnabledHealthIndicator("pgque")
public final class PgqueHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "pgqueHealthIndicator")
	PgqueHealthIndicator pgqueHealthIndicator(PgqueAdminOperations pgqueAdminOperations, PgqueProperties properties) {
		PgqueProperties.Health health = properties.getHealth();
		return new PgqueHealthIndicator(pgqueAdminOperations, health.getTickerGrace(), health.getMaxConsumerLag());
	}

}
