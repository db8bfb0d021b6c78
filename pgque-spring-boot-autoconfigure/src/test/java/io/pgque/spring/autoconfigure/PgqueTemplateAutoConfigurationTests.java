package io.pgque.spring.autoconfigure;

import java.lang.reflect.Proxy;

import javax.sql.DataSource;

import io.pgque.spring.convert.PgqueJsonPayloadConverter;
import io.pgque.spring.convert.PgquePayloadConverter;
import io.pgque.spring.convert.PgqueTextPayloadConverter;
import io.pgque.spring.convert.PgqueTypeMapper;
import io.pgque.spring.core.PgqueOperations;
import io.pgque.spring.core.PgqueQueueDeclarer;
import io.pgque.spring.core.PgqueTemplate;
import org.junit.jupiter.api.Test;
import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.listener.PgqueListenerContainerRegistry;
import org.springframework.context.annotation.Configuration;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wiring of the template, its converter and the queue declarer. The DataSources here are
 * never connected to (schema mode none, no declarations).
 */
class PgqueTemplateAutoConfigurationTests {

	private static final DataSource appDataSource = new SimpleDriverDataSource();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(PgqueAutoConfiguration.class))
		.withPropertyValues("pgque.schema.mode=none");

	@Test
	void runWhenDataSourceIsPresentShouldCreateTemplateConverterAndDeclarer() {
		this.contextRunner.withBean(DataSource.class, () -> appDataSource).run((context) -> {
			assertThat(context).hasSingleBean(PgqueTemplate.class)
				.hasSingleBean(PgqueJsonPayloadConverter.class)
				.hasSingleBean(PgqueQueueDeclarer.class);
			assertThat(context.getBean(PgqueTemplate.class)).extracting("jdbc.dataSource").isSameAs(appDataSource);
			assertThat(context.getBean(PgqueQueueDeclarer.class).getQueues()).isEmpty();
		});
	}

	@Test
	void runWhenNoDataSourceShouldNotCreateTemplate() {
		this.contextRunner.run((context) -> assertThat(context).hasNotFailed()
			.doesNotHaveBean(PgqueOperations.class)
			.doesNotHaveBean(PgquePayloadConverter.class));
	}

	@Test
	void runWhenUserDefinesOperationsShouldBackOff() {
		this.contextRunner.withBean(DataSource.class, () -> appDataSource)
			.withBean("myTemplate", PgqueTemplate.class,
					() -> new PgqueTemplate(appDataSource,
							new PgqueTextPayloadConverter(PgqueTypeMapper.simpleNames())))
			.run((context) -> assertThat(context).hasSingleBean(PgqueOperations.class).hasBean("myTemplate"));
	}

	@Test
	void runWhenUserBeanImplementsOnlyOperationsShouldStartWithoutDeclarer() {
		PgqueOperations operations = (PgqueOperations) Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { PgqueOperations.class }, (proxy, method, args) -> switch (method.getName()) {
					case "hashCode" -> System.identityHashCode(proxy);
					case "equals" -> proxy == args[0];
					case "toString" -> "operations only";
					default -> throw new UnsupportedOperationException(method.getName());
				});
		this.contextRunner.withBean(DataSource.class, () -> appDataSource)
			.withBean(PgqueOperations.class, () -> operations)
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(PgqueOperations.class)
				.doesNotHaveBean(PgqueTemplate.class)
				.doesNotHaveBean(PgqueQueueDeclarer.class));
	}

	@Test
	void runWhenUserBeanImplementsOnlyOperationsShouldStartTheListenersHealthAndMetricsToo() {
		PgqueOperations operations = (PgqueOperations) Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { PgqueOperations.class }, (proxy, method, args) -> switch (method.getName()) {
					case "hashCode" -> System.identityHashCode(proxy);
					case "equals" -> proxy == args[0];
					case "toString" -> "operations only";
					default -> throw new UnsupportedOperationException(method.getName());
				});
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(PgqueAutoConfiguration.class, PgqueListenerAutoConfiguration.class,
					PgqueHealthContributorAutoConfiguration.class, PgqueMetricsAutoConfiguration.class))
			.withPropertyValues("pgque.schema.mode=none", "pgque.listener.auto-startup=false")
			.withBean(DataSource.class, () -> appDataSource)
			.withBean(PgqueOperations.class, () -> operations)
			.withUserConfiguration(OrdersListener.class)
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(PgqueOperations.class)
				.doesNotHaveBean(PgqueTemplate.class)
				.hasSingleBean(PgqueListenerContainerRegistry.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class OrdersListener {

		@PgqueListener(queue = "orders", consumer = "billing")
		void on(String payload) {
		}

	}

	@Test
	void runWhenUserDefinesConverterShouldBackOff() {
		PgqueTextPayloadConverter converter = new PgqueTextPayloadConverter(PgqueTypeMapper.simpleNames());
		this.contextRunner.withBean(DataSource.class, () -> appDataSource)
			.withBean(PgquePayloadConverter.class, () -> converter)
			.run((context) -> {
				assertThat(context).hasSingleBean(PgquePayloadConverter.class);
				assertThat(context.getBean(PgqueTemplate.class).getConverter()).isSameAs(converter);
			});
	}

	@Test
	void runWhenPgqueDataSourceIsQualifiedShouldUseIt() {
		this.contextRunner.withUserConfiguration(TwoDataSources.class).run((context) -> {
			assertThat(context).hasSingleBean(PgqueTemplate.class);
			assertThat(context.getBean(PgqueTemplate.class)).extracting("jdbc.dataSource")
				.isSameAs(TwoDataSources.pgque);
		});
	}

	@Test
	void runWhenApplicationHasJsonMapperShouldConvertWithIt() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class))
			.withBean(DataSource.class, () -> appDataSource)
			.run((context) -> assertThat(context.getBean(PgqueJsonPayloadConverter.class)).extracting("jsonMapper")
				.isSameAs(context.getBean(JsonMapper.class)));
	}

	@Test
	void runWhenJacksonIsMissingShouldFallBackToTextConverter() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(JsonMapper.class))
			.withBean(DataSource.class, () -> appDataSource)
			.run((context) -> assertThat(context.getBean(PgquePayloadConverter.class))
				.isExactlyInstanceOf(PgqueTextPayloadConverter.class));
	}

	@Test
	void runWhenTypeNamingAndMappingsAreConfiguredShouldNameTypesByThem() {
		this.contextRunner.withBean(DataSource.class, () -> appDataSource)
			.withPropertyValues("pgque.template.type-naming=class-name",
					"pgque.template.type-mappings.order-placed=" + OrderPlaced.class.getName())
			.run((context) -> {
				PgquePayloadConverter converter = context.getBean(PgquePayloadConverter.class);
				assertThat(converter.typeName(new OrderPlaced("o-1"))).isEqualTo("order-placed");
				assertThat(converter.typeName(OrderCancelled.class)).isEqualTo(OrderCancelled.class.getName());
			});
	}

	record OrderPlaced(String id) {
	}

	record OrderCancelled(String id) {
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoDataSources {

		static final DataSource pgque = new SimpleDriverDataSource();

		@Bean
		@Primary
		DataSource appDataSource() {
			return appDataSource;
		}

		@Bean
		@PgqueDataSource
		DataSource queueDataSource() {
			return pgque;
		}

	}

}
