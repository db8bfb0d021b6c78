package io.pgque.spring.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import io.pgque.spring.config.DefaultPgqueListenerContainerFactory;
import io.pgque.spring.listener.PgqueContainerCustomizer;
import io.pgque.spring.listener.PgqueContainerOptions;
import io.pgque.spring.listener.error.PgqueErrorHandler;
import io.pgque.spring.listener.error.PgqueRetrySettings;
import org.jspecify.annotations.Nullable;

/**
 * Configures a {@link DefaultPgqueListenerContainerFactory} as the auto-configured one
 * is: {@code pgque.listener.*}, the error handler bean and the container customizers. Use
 * it on a factory of your own, so that it follows the properties too, the way Boot's
 * {@code ConcurrentKafkaListenerContainerFactoryConfigurer} is used.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueListenerContainerFactoryConfigurer {

	private final PgqueProperties.Listener properties;

	private final @Nullable PgqueErrorHandler errorHandler;

	private final List<PgqueContainerCustomizer> customizers;

	PgqueListenerContainerFactoryConfigurer(PgqueProperties.Listener properties,
			@Nullable PgqueErrorHandler errorHandler, List<PgqueContainerCustomizer> customizers) {
		this.properties = properties;
		this.errorHandler = errorHandler;
		this.customizers = List.copyOf(customizers);
	}

	/**
	 * Copy the properties, error handler and customizers onto a factory.
	 * @param factory the factory to configure
	 */
	public void configure(DefaultPgqueListenerContainerFactory factory) {
		factory.setOptions(options(this.properties));
		factory.setErrorHandler(this.errorHandler);
		factory.setContainerCustomizers(this.customizers);
	}

	static PgqueContainerOptions options(PgqueProperties.Listener listener) {
		PgqueProperties.Listener.Retry retry = listener.getRetry();
		PgqueContainerOptions defaults = PgqueContainerOptions.builder().build();
		List<Class<? extends Throwable>> notRetryable = new ArrayList<>(defaults.notRetryableExceptions());
		notRetryable.addAll(listener.getNotRetryableExceptions());
		return PgqueContainerOptions.builder()
			.autoStartup(listener.isAutoStartup())
			.autoSubscribe(listener.isAutoSubscribe())
			.autoCreateQueue(listener.isAutoCreateQueues())
			.transactionMode(listener.getTransactionMode())
			.unknownTypePolicy(listener.getUnknownTypePolicy())
			.maxBatchSize(listener.getMaxBatchSize())
			.maxEventsInMemory(listener.getMaxEventsInMemory())
			.pollInterval(listener.getPollInterval())
			.leaseRetryInterval(listener.getLeaseRetryInterval())
			.shutdownTimeout(listener.getShutdownTimeout())
			.failureDelay(listener.getFailureDelay())
			.retry(new PgqueRetrySettings(retry.getMaxAttempts(), retry.getInitialBackOff(), retry.getMultiplier(),
					retry.getMaxBackOff(), retry.getRetryDelay()))
			.notRetryableExceptions(notRetryable)
			.concurrency(listener.getConcurrency())
			.deadInterval(listener.getDeadInterval())
			.keySlots(listener.getKeySlots())
			.instanceId(listener.getInstanceId())
			.build();
	}

}
