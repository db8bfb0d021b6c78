package io.pgque.spring.autoconfigure;

import javax.sql.DataSource;

import io.pgque.spring.ticker.PgqueTicker;
import io.pgque.spring.ticker.PgqueTickerOptions;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the {@link PgqueTicker}: the embedded, leader-elected ticker, or
 * the check that pg_cron ticks. Absent when {@code pgque.ticker.mode=none}.
 *
 * @author pgque-spring-boot authors
 */
@AutoConfiguration(after = PgqueAutoConfiguration.class)
@ConditionalOnBean(DataSource.class)
@Conditional(OnPgqueTickerEnabledCondition.class)
@EnableConfigurationProperties(PgqueProperties.class)
@Import(DatabaseInitializationDependencyConfigurer.class)
public final class PgqueTickerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@DependsOnDatabaseInitialization
	PgqueTicker pgqueTicker(@PgqueDataSource ObjectProvider<DataSource> pgqueDataSource,
			ObjectProvider<DataSource> dataSource, PgqueProperties properties, Environment environment) {
		PgqueProperties.Ticker ticker = properties.getTicker();
		PgqueTickerOptions options = new PgqueTickerOptions(ticker.getTickPeriod(), ticker.getRetryPeriod(),
				ticker.getMaintenancePeriod(), ticker.getTakeoverInterval(), ticker.getQueryTimeout(),
				ticker.getMaxBackoff());
		DataSource resolved = PgqueDataSources.resolve(pgqueDataSource, dataSource);
		PgqueTicker pgqueTicker = new PgqueTicker(resolved, ticker.getMode(), options,
				PgqueThreads.of(environment, "pgque-ticker-", PgqueTicker.platformThreads()));
		pgqueTicker.setLeadershipDataSource(PgqueControlConnections.of(resolved));
		pgqueTicker.setLeaseOptions(properties.getLease().toOptions());
		return pgqueTicker;
	}

	// a lazily initialised application still ticks
	@Bean
	static LazyInitializationExcludeFilter pgqueTickerLazyInitializationExcludeFilter() {
		return LazyInitializationExcludeFilter.forBeanTypes(PgqueTicker.class);
	}

}
