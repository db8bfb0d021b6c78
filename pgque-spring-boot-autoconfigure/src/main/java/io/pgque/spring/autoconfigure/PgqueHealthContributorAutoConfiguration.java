package io.pgque.spring.autoconfigure;

import java.util.Collection;
import java.util.List;

import javax.sql.DataSource;

import io.pgque.spring.core.PgqueAdminOperations;
import io.pgque.spring.health.PgqueHealthIndicator;
import io.pgque.spring.health.PgqueHealthProbe;
import io.pgque.spring.health.PgqueHealthRules;
import io.pgque.spring.listener.PgqueListenerContainer;
import io.pgque.spring.listener.PgqueListenerContainerRegistry;

import org.springframework.beans.factory.ObjectProvider;
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
	PgqueHealthIndicator pgqueHealthIndicator(@PgqueDataSource ObjectProvider<DataSource> pgqueDataSource,
			ObjectProvider<DataSource> dataSource, PgqueProperties properties,
			ObjectProvider<PgqueListenerContainerRegistry> registry) {
		PgqueProperties.Health health = properties.getHealth();
		PgqueHealthProbe probe = new PgqueHealthProbe(PgqueDataSources.resolve(pgqueDataSource, dataSource),
				health.getStatementTimeout(), health.getCacheTime(), health.getDeadLetterCountLimit());
		PgqueHealthRules rules = new PgqueHealthRules(health.getTickerGrace(), health.isStalledTickerDown(),
				health.getMaxConsumerLag(), health.getConsumerLagWarning(), health.isFailedContainerDown());
		return new PgqueHealthIndicator(probe, rules, () -> containers(registry));
	}

	private static Collection<PgqueListenerContainer> containers(
			ObjectProvider<PgqueListenerContainerRegistry> registry) {
		PgqueListenerContainerRegistry containers = registry.getIfAvailable();
		return (containers != null) ? containers.getListenerContainers() : List.of();
	}

}
