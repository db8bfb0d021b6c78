package io.pgque.spring.autoconfigure;

import javax.sql.DataSource;

import io.pgque.spring.schema.PgqueSchemaInitializer;
import liquibase.Liquibase;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration for PgQue: installs the engine into the application's DataSource (or
 * the one qualified {@link PgqueDataSource}).
 *
 * @author pgque-spring-boot authors
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class)
@ConditionalOnClass(DataSource.class)
@ConditionalOnBean(DataSource.class)
@EnableConfigurationProperties(PgqueProperties.class)
public final class PgqueAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Liquibase.class)
	static class SchemaConfiguration {

		@Bean
		@ConditionalOnMissingBean
		PgqueSchemaInitializer pgqueSchemaInitializer(@PgqueDataSource ObjectProvider<DataSource> pgqueDataSource,
				ObjectProvider<DataSource> dataSource, PgqueProperties properties) {
			return new PgqueSchemaInitializer(PgqueDataSources.resolve(pgqueDataSource, dataSource),
					properties.getSchema().getMode());
		}

	}

}
