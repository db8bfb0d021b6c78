package io.pgque.spring.autoconfigure;

import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.config.DefaultPgqueListenerContainerFactory;
import io.pgque.spring.core.PgqueInvalidNameException;
import io.pgque.spring.listener.PgqueListenerContainer;
import io.pgque.spring.listener.PgqueListenerContainerRegistry;
import io.pgque.spring.listener.pipeline.PgqueTransactionMode;
import io.pgque.spring.listener.pipeline.PgqueUnknownTypePolicy;
import io.pgque.spring.listener.source.PgqueLeaseManager;
import io.pgque.spring.listener.source.PgqueNotificationListener;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wiring of the listener infrastructure, and start-up failures for registrations that
 * would need a second worker for one consumer. Containers are not started (no database).
 */
class PgqueListenerAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, PgqueAutoConfiguration.class,
				PgqueListenerAutoConfiguration.class))
		.withBean(DataSource.class, SimpleDriverDataSource::new)
		.withPropertyValues("pgque.schema.mode=none", "pgque.listener.auto-startup=false");

	@Test
	void runWhenDataSourceIsPresentShouldCreateListenerInfrastructure() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(PgqueListenerContainerRegistry.class)
			.hasSingleBean(DefaultPgqueListenerContainerFactory.class)
			.hasSingleBean(PgqueLeaseManager.class)
			.hasSingleBean(PgqueNotificationListener.class));
	}

	@Test
	void runWhenDisabledShouldNotCreateListenerInfrastructure() {
		this.contextRunner.withPropertyValues("pgque.listener.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(PgqueListenerContainerRegistry.class));
	}

	@Test
	void runWhenPropertiesAreSetShouldMapThemToContainerOptions() {
		this.contextRunner
			.withPropertyValues("pgque.listener.poll-interval=7s", "pgque.listener.lease-retry-interval=3s",
					"pgque.listener.transaction-mode=at-least-once", "pgque.listener.unknown-type-policy=dead-letter",
					"pgque.listener.max-batch-size=42", "pgque.listener.retry.max-attempts=5",
					"pgque.listener.retry.retry-delay=9s", "pgque.listener.retry.initial-back-off=150ms",
					"pgque.listener.retry.multiplier=3", "pgque.listener.retry.max-back-off=4s",
					"pgque.listener.shutdown-timeout=11s", "pgque.listener.failure-delay=13s",
					"pgque.listener.auto-subscribe=false", "pgque.listener.auto-create-queues=false",
					"pgque.listener.not-retryable-exceptions=java.lang.IllegalArgumentException", "app.queue=orders")
			.withUserConfiguration(PlaceholderListener.class)
			.run((context) -> {
				PgqueListenerContainer container = context.getBean(PgqueListenerContainerRegistry.class)
					.getRequiredListenerContainer("orders-billing");
				assertThat(container.getQueue()).isEqualTo("orders");
				assertThat(container.getConsumer()).isEqualTo("billing");
				assertThat(container.isAutoStartup()).isFalse();
				assertThat(container.getOptions().pollInterval()).isEqualTo(Duration.ofSeconds(7));
				assertThat(container.getOptions().leaseRetryInterval()).isEqualTo(Duration.ofSeconds(3));
				assertThat(container.getOptions().transactionMode()).isEqualTo(PgqueTransactionMode.AT_LEAST_ONCE);
				assertThat(container.getOptions().unknownTypePolicy()).isEqualTo(PgqueUnknownTypePolicy.DEAD_LETTER);
				assertThat(container.getOptions().maxBatchSize()).isEqualTo(42);
				assertThat(container.getOptions().retry().maxAttempts()).isEqualTo(5);
				assertThat(container.getOptions().retry().retryDelay()).isEqualTo(Duration.ofSeconds(9));
				assertThat(container.getOptions().retry().initialBackOff()).isEqualTo(Duration.ofMillis(150));
				assertThat(container.getOptions().retry().multiplier()).isEqualTo(3.0);
				assertThat(container.getOptions().retry().maxBackOff()).isEqualTo(Duration.ofSeconds(4));
				assertThat(container.getOptions().shutdownTimeout()).isEqualTo(Duration.ofSeconds(11));
				assertThat(container.getOptions().failureDelay()).isEqualTo(Duration.ofSeconds(13));
				assertThat(container.getOptions().autoSubscribe()).isFalse();
				assertThat(container.getOptions().autoCreateQueue()).isFalse();
				assertThat(container.getOptions().notRetryableExceptions()).contains(IllegalArgumentException.class);
				assertThat(container.getDispatcher().handlers()).singleElement()
					.satisfies((handler) -> assertThat(handler.retry().maxAttempts()).isEqualTo(2));
			});
	}

	@Test
	void runWhenTwoMethodsTakeEveryTypeOfOneConsumerShouldFailNamingBoth() {
		this.contextRunner.withUserConfiguration(TwoCatchAllListeners.class)
			.run((context) -> assertThat(cause(context.getStartupFailure())).hasMessageContaining("orders/billing")
				.hasMessageContaining("TwoCatchAllListeners.first(String)")
				.hasMessageContaining("TwoCatchAllListeners.second(String)")
				.hasMessageContaining("second worker"));
	}

	@Test
	void runWhenTwoMethodsClaimOneTypeShouldFailNamingBoth() {
		this.contextRunner.withUserConfiguration(OverlappingTypeListeners.class)
			.run((context) -> assertThat(cause(context.getStartupFailure()))
				.hasMessageContaining("OverlappingTypeListeners.first(String)")
				.hasMessageContaining("OverlappingTypeListeners.second(String)")
				.hasMessageContaining("'created'"));
	}

	@Test
	void runWhenMethodsOfOneConsumerDisagreeOnContainerSettingsShouldFailNamingBoth() {
		this.contextRunner.withUserConfiguration(DisagreeingListeners.class)
			.run((context) -> assertThat(cause(context.getStartupFailure()))
				.hasMessageContaining("DisagreeingListeners.first(String)")
				.hasMessageContaining("DisagreeingListeners.second(String)")
				.hasMessageContaining("maxBatchSize"));
	}

	@Test
	void runWhenBatchListenerSharesItsConsumerShouldFail() {
		this.contextRunner.withUserConfiguration(BatchAndSingleListeners.class)
			.run((context) -> assertThat(cause(context.getStartupFailure()))
				.hasMessageContaining("BatchAndSingleListeners.batch(List)")
				.hasMessageContaining("BatchAndSingleListeners.single(String)")
				.hasMessageContaining("batch listener must be the only"));
	}

	@Test
	void runWhenMethodsHandleDistinctTypesShouldShareOneContainer() {
		this.contextRunner.withUserConfiguration(DistinctTypeListeners.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(PgqueListenerContainerRegistry.class).getListenerContainers()).singleElement()
				.satisfies((container) -> assertThat(container.getDispatcher().handlers()).hasSize(3));
			PgqueListenerContainer container = context.getBean(PgqueListenerContainerRegistry.class)
				.getRequiredListenerContainer("orders/billing");
			assertThat(container.getDispatcher().handlerFor("OrderPlaced").description())
				.contains("placed(OrderPlaced)");
			assertThat(container.getDispatcher().handlerFor("cancelled").description()).contains("cancelled(String)");
			assertThat(container.getDispatcher().handlerFor("anything").description()).contains("rest(String)");
		});
	}

	@Test
	void runWhenAttributeIsInvalidShouldFailNamingTheMethod() {
		this.contextRunner.withUserConfiguration(InvalidAttributeListener.class)
			.run((context) -> assertThat(cause(context.getStartupFailure()))
				.hasMessageContaining("InvalidAttributeListener.on")
				.hasMessageContaining("maxAttempts")
				.hasMessageContaining("'lots'"));
	}

	@Test
	void runWhenConcurrencyIsSetShouldResolveItsPlaceholderOverTheProperty() {
		this.contextRunner.withPropertyValues("pgque.listener.concurrency=2", "app.workers=4")
			.withUserConfiguration(ConcurrentListener.class, DefaultConcurrencyListener.class)
			.run((context) -> {
				PgqueListenerContainerRegistry registry = context.getBean(PgqueListenerContainerRegistry.class);
				assertThat(registry.getRequiredListenerContainer("orders/fast").getOptions().concurrency())
					.isEqualTo(4);
				assertThat(registry.getRequiredListenerContainer("orders/plain").getOptions().concurrency())
					.isEqualTo(2);
			});
	}

	@Test
	void runWhenConcurrencyIsBelowOneShouldFailNamingTheMethod() {
		this.contextRunner.withUserConfiguration(InvalidConcurrencyListener.class)
			.run((context) -> assertThat(cause(context.getStartupFailure()))
				.hasMessageContaining("InvalidConcurrencyListener.on")
				.hasMessageContaining("concurrency")
				.hasMessageContaining("'0'"));
	}

	// its NOTIFY channel pgque_<queue> would exceed PostgreSQL's 63-byte identifiers
	@Test
	void runWhenQueueNameIsTooLongShouldFailNamingTheMethodAndTheQueue() {
		this.contextRunner.withUserConfiguration(LongQueueNameListener.class)
			.withPropertyValues("app.queue=" + "q".repeat(58))
			.run((context) -> assertThat(endpointFailure(context.getStartupFailure()))
				.hasMessageContaining("LongQueueNameListener.on(String)")
				.hasMessageContaining("queue name '" + "q".repeat(58) + "'")
				.hasMessageContaining("58 bytes"));
	}

	@Test
	void runWhenConsumerNameIsPaddedShouldFailNamingTheMethodAndTheConsumer() {
		this.contextRunner.withUserConfiguration(PaddedConsumerNameListener.class)
			.run((context) -> assertThat(endpointFailure(context.getStartupFailure()))
				.hasMessageContaining("PaddedConsumerNameListener.on(String)")
				.hasMessageContaining("consumer name ' billing'")
				.hasMessageContaining("whitespace"));
	}

	// the endpoint's exception names the method; its cause, the name check, does not
	private static Throwable endpointFailure(Throwable failure) {
		assertThat(failure).as("start-up failure").isNotNull();
		for (Throwable candidate = failure; candidate != null; candidate = candidate.getCause()) {
			if (candidate.getCause() instanceof PgqueInvalidNameException) {
				return candidate;
			}
		}
		throw new AssertionError("No invalid name in " + failure);
	}

	private static Throwable cause(Throwable failure) {
		assertThat(failure).as("start-up failure").isNotNull();
		return NestedExceptionUtils.getMostSpecificCause(failure);
	}

	@Configuration(proxyBeanMethods = false)
	static class PlaceholderListener {

		@PgqueListener(id = "${app.queue}-billing", queue = "${app.queue}", consumer = "#{'bill' + 'ing'}",
				maxAttempts = "2")
		void on(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoCatchAllListeners {

		@PgqueListener(queue = "orders", consumer = "billing")
		void first(String payload) {
		}

		@PgqueListener(queue = "orders", consumer = "billing")
		void second(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OverlappingTypeListeners {

		@PgqueListener(queue = "orders", consumer = "billing", types = { "created", "updated" })
		void first(String payload) {
		}

		@PgqueListener(queue = "orders", consumer = "billing", types = "created")
		void second(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DisagreeingListeners {

		@PgqueListener(queue = "orders", consumer = "billing", types = "a", maxBatchSize = "10")
		void first(String payload) {
		}

		@PgqueListener(queue = "orders", consumer = "billing", types = "b", maxBatchSize = "20")
		void second(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BatchAndSingleListeners {

		@PgqueListener(queue = "orders", consumer = "billing", types = "a")
		void batch(List<String> payloads) {
		}

		@PgqueListener(queue = "orders", consumer = "billing", types = "b")
		void single(String payload) {
		}

	}

	record OrderPlaced(String id) {
	}

	@Configuration(proxyBeanMethods = false)
	static class DistinctTypeListeners {

		@PgqueListener(queue = "orders", consumer = "billing")
		void placed(OrderPlaced event) {
		}

		@PgqueListener(queue = "orders", consumer = "billing", types = "cancelled")
		void cancelled(String payload) {
		}

		@PgqueListener(queue = "orders", consumer = "billing")
		void rest(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ConcurrentListener {

		@PgqueListener(queue = "orders", consumer = "fast", concurrency = "${app.workers}")
		void on(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DefaultConcurrencyListener {

		@PgqueListener(queue = "orders", consumer = "plain")
		void on(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class InvalidConcurrencyListener {

		@PgqueListener(queue = "orders", consumer = "billing", concurrency = "0")
		void on(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class InvalidAttributeListener {

		@PgqueListener(queue = "orders", consumer = "billing", maxAttempts = "lots")
		void on(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LongQueueNameListener {

		@PgqueListener(queue = "${app.queue}", consumer = "billing")
		void on(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PaddedConsumerNameListener {

		@PgqueListener(queue = "orders", consumer = " billing")
		void on(String payload) {
		}

	}

}
