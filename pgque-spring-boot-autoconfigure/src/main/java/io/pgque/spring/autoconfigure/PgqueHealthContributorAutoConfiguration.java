package io.pgque.spring.autoconfigure;

import javax.sql.DataSource;

import io.pgque.spring.health.PgqueHealthIndicator;

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
@ConditionalOnBean(DataSource.class)
@ConditionalOnEnabledHealthIndicator("pgque")
public final class PgqueHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "pgqueHealthIndicator")
	PgqueHealthIndicator pgqueHealthIndicator(@PgqueDataSource ObjectProvider<DataSource> pgqueDataSource,
			ObjectProvider<DataSource> dataSource, PgqueProperties properties) {
		PgqueProperties.Health health = properties.getHealth();
		return new PgqueHealthIndicator(PgqueDataSources.resolve(pgqueDataSource, dataSource), health.getTickerGrace(),
				health.getMaxConsumerLag());
	}

}
