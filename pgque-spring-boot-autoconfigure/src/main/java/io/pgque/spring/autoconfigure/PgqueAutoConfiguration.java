package io.pgque.spring.autoconfigure;

import javax.sql.DataSource;

import java.util.ArrayList;
import java.util.List;

import io.pgque.spring.convert.PgqueJsonPayloadConverter;
import io.pgque.spring.convert.PgquePayloadConverter;
import io.pgque.spring.convert.PgqueTextPayloadConverter;
import io.pgque.spring.convert.PgqueTypeMapper;
import io.pgque.spring.core.PgqueAdminOperations;
import io.pgque.spring.core.PgqueNames;
import io.pgque.spring.core.PgqueOperations;
import io.pgque.spring.core.PgqueQueue;
import io.pgque.spring.core.PgqueQueueDeclarer;
import io.pgque.spring.core.PgqueSendObserver;
import io.pgque.spring.core.PgqueTemplate;
import io.pgque.spring.schema.PgqueEngineLimits;
import io.pgque.spring.schema.PgqueSchemaInitializer;
import liquibase.Liquibase;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.function.SingletonSupplier;

/**
 * Auto-configuration for PgQue: installs the engine into the application's DataSource (or
 * the one qualified {@link PgqueDataSource}).
 *
 * @author pgque-spring-boot authors
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class,
		afterName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@ConditionalOnClass(DataSource.class)
@ConditionalOnBean(DataSource.class)
@EnableConfigurationProperties(PgqueProperties.class)
// makes @DependsOnDatabaseInitialization work on every engine bean, whichever
// auto-configurations are active
@Import(DatabaseInitializationDependencyConfigurer.class)
public final class PgqueAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Liquibase.class)
	static class SchemaConfiguration {

		@Bean
		@ConditionalOnMissingBean
		PgqueSchemaInitializer pgqueSchemaInitializer(@PgqueDataSource ObjectProvider<DataSource> pgqueDataSource,
				ObjectProvider<DataSource> dataSource, PgqueProperties properties) {
			PgqueProperties.Limits limits = properties.getLimits();
			return new PgqueSchemaInitializer(PgqueDataSources.resolve(pgqueDataSource, dataSource),
					properties.getSchema().getMode(),
					PgqueEngineLimits.of(limits.getMaxPayloadSize(), limits.getMaxTypeNameSize()));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TemplateConfiguration {

		@Bean
		@ConditionalOnMissingBean
		PgqueTypeMapper pgqueTypeMapper(PgqueProperties properties) {
			PgqueProperties.Template template = properties.getTemplate();
			template.getTypeMappings().keySet().forEach(PgqueNames::requireType);
			return new PgqueTypeMapper(template.getTypeNaming(), template.getTypeMappings());
		}

		@Bean
		@ConditionalOnMissingBean(PgqueOperations.class)
		@DependsOnDatabaseInitialization
		PgqueTemplate pgqueTemplate(@PgqueDataSource ObjectProvider<DataSource> pgqueDataSource,
				ObjectProvider<DataSource> dataSource, PgquePayloadConverter pgquePayloadConverter,
				ObjectProvider<PgqueSendObserver> sendObservers) {
			PgqueTemplate template = new PgqueTemplate(PgqueDataSources.resolve(pgqueDataSource, dataSource),
					pgquePayloadConverter);
			// metrics and observations, when their auto-configurations declared them;
			// looked
			// up on the first send, since the ObservationRegistry's handlers may depend
			// on
			// beans that need this template
			SingletonSupplier<PgqueSendObserver> observer = SingletonSupplier
				.of(() -> PgqueSendObserver.of(sendObservers.orderedStream().toList()));
			template.setSendObserver((queue, type, count) -> observer.obtain().start(queue, type, count));
			return template;
		}

		@Bean
		@ConditionalOnMissingBean
		// a user's PgqueOperations bean need not be a PgqueAdminOperations
		@ConditionalOnBean(PgqueAdminOperations.class)
		@DependsOnDatabaseInitialization
		PgqueQueueDeclarer pgqueQueueDeclarer(PgqueAdminOperations pgqueAdminOperations, PgqueProperties properties,
				ObjectProvider<PgqueQueue> queues, @PgqueDataSource ObjectProvider<DataSource> pgqueDataSource,
				ObjectProvider<DataSource> dataSource) {
			List<PgqueQueue> declarations = new ArrayList<>(PgqueQueueDeclarations.from(properties.getQueues()));
			queues.orderedStream().forEach(declarations::add);
			return new PgqueQueueDeclarer(pgqueAdminOperations,
					new JdbcTemplate(PgqueDataSources.resolve(pgqueDataSource, dataSource)), declarations);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(JsonMapper.class)
	static class JsonConverterConfiguration {

		@Bean
		@ConditionalOnMissingBean(PgquePayloadConverter.class)
		PgqueJsonPayloadConverter pgquePayloadConverter(ObjectProvider<JsonMapper> jsonMapper,
				PgqueTypeMapper pgqueTypeMapper, PgqueProperties properties) {
			return new PgqueJsonPayloadConverter(
					jsonMapper.getIfUnique(() -> JsonMapper.builder().findAndAddModules().build()), pgqueTypeMapper,
					properties.getListener().isFailureReasonsWithValues());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass("tools.jackson.databind.json.JsonMapper")
	static class TextConverterConfiguration {

		@Bean
		@ConditionalOnMissingBean(PgquePayloadConverter.class)
		PgqueTextPayloadConverter pgquePayloadConverter(PgqueTypeMapper pgqueTypeMapper) {
			return new PgqueTextPayloadConverter(pgqueTypeMapper);
		}

	}

}
