package io.pgque.spring.autoconfigure;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.config.DefaultPgqueListenerContainerFactory;
import io.pgque.spring.config.PgqueListenerConfigUtils;
import io.pgque.spring.convert.PgquePayloadConverter;
import io.pgque.spring.listener.PgqueContainerCustomizer;
import io.pgque.spring.listener.PgqueListenerContainer;
import io.pgque.spring.listener.PgqueListenerContainerRegistry;
import io.pgque.spring.listener.error.DefaultPgqueErrorHandler;
import io.pgque.spring.listener.error.PgqueErrorHandler;
import io.pgque.spring.listener.error.PgqueFailureDecision;
import io.pgque.spring.listener.source.PgqueLeaseManager;
import io.pgque.spring.listener.source.PgqueNotificationListener;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The listener extension points: a {@link PgqueErrorHandler} bean and a per-listener
 * {@code errorHandler}, {@link PgqueContainerCustomizer}s, and
 * {@link PgqueListenerContainerFactoryConfigurer} on a user's factory. Containers are not
 * started (no database).
 */
class PgqueListenerExtensionPointsTests {

	private static final PgqueErrorHandler STOP_ALWAYS = (attempt) -> PgqueFailureDecision.stop("stop");

	private static final PgqueErrorHandler DEAD_LETTER_ALWAYS = (attempt) -> PgqueFailureDecision
		.deadLetter("no retry");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, PgqueAutoConfiguration.class,
				PgqueListenerAutoConfiguration.class))
		.withBean(DataSource.class, SimpleDriverDataSource::new)
		.withPropertyValues("pgque.schema.mode=none", "pgque.listener.auto-startup=false");

	@Test
	void runWithoutErrorHandlerBeanShouldUseTheDefault() {
		this.contextRunner.withUserConfiguration(TwoListeners.class).run((context) -> {
			assertThat(context).hasSingleBean(DefaultPgqueErrorHandler.class);
			assertThat(containers(context)).allSatisfy((container) -> assertThat(container.getErrorHandler())
				.isSameAs(context.getBean(PgqueErrorHandler.class)));
		});
	}

	@Test
	void runWhenErrorHandlerBeanIsDeclaredShouldUseItForEveryContainer() {
		this.contextRunner.withUserConfiguration(TwoListeners.class)
			.withBean(PgqueErrorHandler.class, () -> STOP_ALWAYS)
			.run((context) -> {
				assertThat(context).doesNotHaveBean(DefaultPgqueErrorHandler.class);
				assertThat(containers(context)).hasSize(2)
					.allSatisfy((container) -> assertThat(container.getErrorHandler()).isSameAs(STOP_ALWAYS));
			});
	}

	@Test
	void runWhenListenerNamesErrorHandlerShouldUseItForThatListenerOnly() {
		this.contextRunner.withUserConfiguration(TwoListeners.class, NamedErrorHandlerListener.class).run((context) -> {
			PgqueListenerContainerRegistry registry = context.getBean(PgqueListenerContainerRegistry.class);
			assertThat(registry.getRequiredListenerContainer("special").getDispatcher().handlers()).singleElement()
				.satisfies((handler) -> assertThat(handler.errorHandler()).isSameAs(DEAD_LETTER_ALWAYS));
			assertThat(registry.getRequiredListenerContainer("first").getDispatcher().handlers()).singleElement()
				.satisfies((handler) -> assertThat(handler.errorHandler()).isNull());
		});
	}

	@Test
	void runWhenListenerNamesMissingErrorHandlerShouldFailNamingIt() {
		this.contextRunner.withUserConfiguration(MissingErrorHandlerListener.class)
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("names the error handler 'nowhere'")
				.hasStackTraceContaining("MissingErrorHandlerListener.handle(String)"));
	}

	@Test
	void runWhenCustomizersAreDeclaredShouldApplyThemToEveryContainerInOrder() {
		this.contextRunner.withUserConfiguration(TwoListeners.class, Customizers.class).run((context) -> {
			List<String> seen = context.getBean(Customizers.class).seen;
			assertThat(seen).containsExactlyInAnyOrder("a:first", "b:first", "a:second", "b:second");
			assertThat(seen.indexOf("a:first")).isLessThan(seen.indexOf("b:first"));
		});
	}

	@Test
	void runWhenUserFactoryIsConfiguredShouldCopyEveryListenerProperty() {
		this.contextRunner
			.withPropertyValues("pgque.listener.poll-interval=7s", "pgque.listener.lease-retry-interval=3s",
					"pgque.listener.transaction-mode=at-least-once", "pgque.listener.unknown-type-policy=dead-letter",
					"pgque.listener.max-batch-size=42", "pgque.listener.retry.max-attempts=5",
					"pgque.listener.retry.retry-delay=9s", "pgque.listener.retry.initial-back-off=150ms",
					"pgque.listener.retry.multiplier=3", "pgque.listener.retry.max-back-off=4s",
					"pgque.listener.shutdown-timeout=11s", "pgque.listener.failure-delay=13s",
					"pgque.listener.auto-subscribe=false", "pgque.listener.auto-create-queues=false",
					"pgque.listener.not-retryable-exceptions=java.lang.IllegalArgumentException")
			.withUserConfiguration(UserFactory.class, Customizers.class)
			.withBean(PgqueErrorHandler.class, () -> STOP_ALWAYS)
			.run((context) -> {
				DefaultPgqueListenerContainerFactory own = context.getBean("ownFactory",
						DefaultPgqueListenerContainerFactory.class);
				DefaultPgqueListenerContainerFactory auto = context.getBean(
						PgqueListenerConfigUtils.DEFAULT_CONTAINER_FACTORY_BEAN_NAME,
						DefaultPgqueListenerContainerFactory.class);
				assertThat(own.getOptions()).usingRecursiveComparison().isEqualTo(auto.getOptions());
				assertThat(own.getOptions().pollInterval()).hasSeconds(7);
				assertThat(own.getOptions().retry().maxAttempts()).isEqualTo(5);
				PgqueListenerContainer container = context.getBean(PgqueListenerContainerRegistry.class)
					.getRequiredListenerContainer("own");
				assertThat(container.getErrorHandler()).isSameAs(STOP_ALWAYS);
				assertThat(context.getBean(Customizers.class).seen).contains("a:own", "b:own");
			});
	}

	private static List<PgqueListenerContainer> containers(org.springframework.context.ApplicationContext context) {
		return List.copyOf(context.getBean(PgqueListenerContainerRegistry.class).getListenerContainers());
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoListeners {

		@PgqueListener(queue = "orders", consumer = "first", id = "first")
		void first(String payload) {
		}

		@PgqueListener(queue = "orders", consumer = "second", id = "second")
		void second(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class NamedErrorHandlerListener {

		@Bean
		PgqueErrorHandler deadLetterAlways() {
			return DEAD_LETTER_ALWAYS;
		}

		@PgqueListener(queue = "orders", consumer = "special", id = "special", errorHandler = "deadLetterAlways")
		void handle(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class MissingErrorHandlerListener {

		@PgqueListener(queue = "orders", consumer = "missing", errorHandler = "nowhere")
		void handle(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Customizers {

		final List<String> seen = new CopyOnWriteArrayList<>();

		@Bean
		@org.springframework.core.annotation.Order(1)
		PgqueContainerCustomizer a() {
			return (container) -> this.seen.add("a:" + container.getId());
		}

		@Bean
		@org.springframework.core.annotation.Order(2)
		PgqueContainerCustomizer b() {
			return (container) -> this.seen.add("b:" + container.getId());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserFactory {

		@Bean
		DefaultPgqueListenerContainerFactory ownFactory(DataSource dataSource, PgqueLeaseManager leaseManager,
				PgqueNotificationListener notificationListener, PgquePayloadConverter payloadConverter,
				PgqueListenerContainerFactoryConfigurer configurer) {
			DefaultPgqueListenerContainerFactory factory = new DefaultPgqueListenerContainerFactory(dataSource,
					leaseManager, notificationListener, payloadConverter);
			configurer.configure(factory);
			return factory;
		}

		@PgqueListener(queue = "orders", consumer = "own", id = "own", containerFactory = "ownFactory")
		void handle(String payload) {
		}

	}

}
