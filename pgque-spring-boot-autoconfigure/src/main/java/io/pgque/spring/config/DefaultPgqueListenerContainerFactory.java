package io.pgque.spring.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import java.util.function.Function;

import javax.sql.DataSource;

import io.pgque.spring.convert.PgquePayloadConverter;
import io.pgque.spring.listener.PgqueContainerOptions;
import io.pgque.spring.listener.PgqueContainerParts;
import io.pgque.spring.listener.PgqueOrdering;
import io.pgque.spring.listener.PgqueContainerCustomizer;
import io.pgque.spring.listener.PgqueListenerContainer;
import io.pgque.spring.listener.pipeline.PgqueTransactionMode;
import io.pgque.spring.listener.pipeline.PgqueBatchProcessors;
import io.pgque.spring.listener.pipeline.PgqueListenerObserver;
import io.pgque.spring.listener.pipeline.PgqueTransactionManagerMismatchException;
import io.pgque.spring.listener.adapter.PgqueHandlerDispatcher;
import io.pgque.spring.listener.adapter.PgqueHandlerMethod;
import io.pgque.spring.listener.error.DefaultPgqueErrorHandler;
import io.pgque.spring.listener.error.PgqueErrorHandler;
import io.pgque.spring.listener.error.PgqueRetrySettings;
import io.pgque.spring.listener.source.PgqueConsumerJdbc;
import io.pgque.spring.listener.source.PgqueLease;
import io.pgque.spring.listener.source.PgqueLeaseManager;
import io.pgque.spring.listener.source.PgqueNotificationListener;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.ResourceTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationUtils;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The container factory: one {@link PgqueListenerContainer} per (queue, consumer), with
 * the factory's {@link PgqueContainerOptions} overridden by what the endpoints set.
 * <p>
 * Without a transaction manager of its own it uses a {@link DataSourceTransactionManager}
 * on the PgQue DataSource (not registered as a bean, so the application's own transaction
 * manager auto-configuration is unaffected). Set the application's transaction manager
 * (e.g. JPA's) when handlers write through it; the mode {@code AUTO} then replays batches
 * instead of using savepoints, and creating a container in the mode {@code SAVEPOINT}
 * fails.
 *
 * @author pgque-spring-boot authors
 */
public class DefaultPgqueListenerContainerFactory
		implements PgqueListenerContainerFactory, ApplicationEventPublisherAware, BeanFactoryAware {

	private final DataSource dataSource;

	private final PgqueLeaseManager leaseManager;

	private final PgqueNotificationListener notificationListener;

	private final PgquePayloadConverter payloadConverter;

	private PgqueContainerOptions options = PgqueContainerOptions.builder().build();

	private @Nullable PlatformTransactionManager transactionManager;

	private ThreadFactory threadFactory = new CustomizableThreadFactory("pgque-");

	private @Nullable ApplicationEventPublisher eventPublisher;

	private @Nullable Consumer<String> queueCreator;

	private PgqueListenerObserver listenerObserver = PgqueListenerObserver.NONE;

	private @Nullable PgqueErrorHandler errorHandler;

	private @Nullable BeanFactory beanFactory;

	private List<PgqueContainerCustomizer> containerCustomizers = List.of();

	public DefaultPgqueListenerContainerFactory(DataSource dataSource, PgqueLeaseManager leaseManager,
			PgqueNotificationListener notificationListener, PgquePayloadConverter payloadConverter) {
		this.dataSource = dataSource;
		this.leaseManager = leaseManager;
		this.notificationListener = notificationListener;
		this.payloadConverter = payloadConverter;
	}

	public void setOptions(PgqueContainerOptions options) {
		this.options = options;
	}

	public PgqueContainerOptions getOptions() {
		return this.options;
	}

	/**
	 * The transaction manager for batches; it must manage the PgQue DataSource.
	 * @param transactionManager the transaction manager, or {@code null} for a
	 * {@link DataSourceTransactionManager} of the factory's own
	 */
	public void setTransactionManager(@Nullable PlatformTransactionManager transactionManager) {
		this.transactionManager = transactionManager;
	}

	/**
	 * Creates the worker threads, e.g. virtual ones.
	 * @param threadFactory the thread factory
	 */
	public void setThreadFactory(ThreadFactory threadFactory) {
		this.threadFactory = threadFactory;
	}

	/**
	 * What watches the containers' batch pipelines (metrics, observations).
	 * @param listenerObserver the observer
	 */
	public void setListenerObserver(PgqueListenerObserver listenerObserver) {
		this.listenerObserver = listenerObserver;
	}

	/**
	 * What creates a missing queue when auto-creation is on, e.g. the queue declarer with
	 * the starter's latency-friendly defaults.
	 * @param queueCreator creates a queue by name
	 */
	public void setQueueCreator(@Nullable Consumer<String> queueCreator) {
		this.queueCreator = queueCreator;
	}

	/**
	 * What decides, after a handler failure, between retrying in place, nacking,
	 * dead-lettering and stopping; a per-listener {@code errorHandler} overrides it.
	 * @param errorHandler the error handler, or {@code null} for a
	 * {@link DefaultPgqueErrorHandler} with the options' not-retryable exceptions
	 */
	public void setErrorHandler(@Nullable PgqueErrorHandler errorHandler) {
		this.errorHandler = errorHandler;
	}

	/**
	 * Customizers applied, in order, to every container this factory creates.
	 * @param containerCustomizers the customizers
	 */
	public void setContainerCustomizers(List<PgqueContainerCustomizer> containerCustomizers) {
		this.containerCustomizers = List.copyOf(containerCustomizers);
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public void setApplicationEventPublisher(ApplicationEventPublisher applicationEventPublisher) {
		this.eventPublisher = applicationEventPublisher;
	}

	@Override
	public PgqueListenerContainer createContainer(List<PgqueListenerEndpoint> endpoints) {
		if (endpoints.isEmpty()) {
			throw new IllegalArgumentException("No endpoints");
		}
		PgqueListenerEndpoint first = endpoints.get(0);
		String name = first.queue() + "/" + first.consumer();
		for (PgqueListenerEndpoint endpoint : endpoints) {
			if (!endpoint.queue().equals(first.queue()) || !endpoint.consumer().equals(first.consumer())) {
				throw new IllegalArgumentException(
						"Endpoints of different consumers: " + first.description() + " and " + endpoint.description());
			}
		}
		String id = shared(endpoints, PgqueListenerEndpoint::id, "id");
		Boolean autoStartup = shared(endpoints, PgqueListenerEndpoint::autoStartup, "autoStartup");
		Integer maxBatchSize = shared(endpoints, PgqueListenerEndpoint::maxBatchSize, "maxBatchSize");
		Integer concurrency = shared(endpoints, PgqueListenerEndpoint::concurrency, "concurrency");
		PgqueOrdering ordering = shared(endpoints, PgqueListenerEndpoint::ordering, "ordering");
		Integer keySlots = shared(endpoints, PgqueListenerEndpoint::keySlots, "keySlots");
		PgqueContainerOptions.Builder builder = this.options.toBuilder();
		if (autoStartup != null) {
			builder.autoStartup(autoStartup);
		}
		if (maxBatchSize != null) {
			builder.maxBatchSize(maxBatchSize);
		}
		if (concurrency != null) {
			builder.concurrency(concurrency);
		}
		if (ordering != null) {
			builder.ordering(ordering);
		}
		if (keySlots != null) {
			builder.keySlots(keySlots);
		}
		PgqueContainerOptions containerOptions = builder.build();
		List<PgqueHandlerMethod> handlers = new ArrayList<>();
		for (PgqueListenerEndpoint endpoint : endpoints) {
			handlers.add(new PgqueHandlerMethod(endpoint.bean(), endpoint.method(), types(endpoint, endpoints.size()),
					retry(endpoint, containerOptions.retry()), errorHandler(endpoint), this.payloadConverter));
		}
		PgqueHandlerDispatcher dispatcher = new PgqueHandlerDispatcher(name, handlers);
		PgqueConsumerJdbc jdbc = new PgqueConsumerJdbc(this.dataSource, first.queue(), first.consumer(),
				containerOptions.maxEventsInMemory());
		PgqueLease lease = this.leaseManager.lease(first.queue(), first.consumer());
		PlatformTransactionManager transactions = (this.transactionManager != null) ? this.transactionManager
				: new DataSourceTransactionManager(this.dataSource);
		requireManages(transactions, name);
		PgqueTransactionMode mode = PgqueBatchProcessors.resolve(containerOptions.transactionMode(), transactions,
				describe(endpoints, name));
		Consumer<String> queueCreator = (this.queueCreator != null) ? this.queueCreator : (queue) -> jdbc.createQueue();
		PgqueContainerParts parts = new PgqueContainerParts(jdbc, lease, dispatcher, mode,
				new TransactionTemplate(transactions), containerErrorHandler(containerOptions),
				this.notificationListener, queueCreator, this.threadFactory, this.listenerObserver);
		PgqueListenerContainer container = new PgqueListenerContainer((id != null) ? id : name, containerOptions, parts,
				this.eventPublisher);
		this.containerCustomizers.forEach((customizer) -> customizer.customize(container));
		return container;
	}

	// A manager that names its DataSource is checked now, so that a wrong one stops the
	// start-up; any other (JPA's names its EntityManagerFactory) when a batch is opened.
	private void requireManages(PlatformTransactionManager transactions, String name) {
		if (transactions instanceof ResourceTransactionManager resources
				&& resources.getResourceFactory() instanceof DataSource managed
				&& TransactionSynchronizationUtils.unwrapResourceIfNecessary(managed) != TransactionSynchronizationUtils
					.unwrapResourceIfNecessary(this.dataSource)) {
			throw new PgqueTransactionManagerMismatchException(name, transactions.getClass().getName());
		}
	}

	/**
	 * The event types of an endpoint: as given; or, when several methods share the
	 * consumer and this one names none, the type its payload class is sent with.
	 */
	private Set<String> types(PgqueListenerEndpoint endpoint, int methodsOfConsumer) {
		if (!endpoint.types().isEmpty() || methodsOfConsumer == 1) {
			return endpoint.types();
		}
		Class<?> payloadType = PgqueHandlerMethod.applicationPayloadType(endpoint.method());
		return (payloadType != null) ? Set.of(this.payloadConverter.typeName(payloadType)) : endpoint.types();
	}

	private static String describe(List<PgqueListenerEndpoint> endpoints, String name) {
		StringJoiner methods = new StringJoiner(", ", "@PgqueListener ", " of " + name);
		endpoints.forEach((endpoint) -> methods.add(endpoint.description()));
		return methods.toString();
	}

	private PgqueErrorHandler containerErrorHandler(PgqueContainerOptions containerOptions) {
		return (this.errorHandler != null) ? this.errorHandler
				: new DefaultPgqueErrorHandler(containerOptions.notRetryableExceptions());
	}

	private @Nullable PgqueErrorHandler errorHandler(PgqueListenerEndpoint endpoint) {
		String name = endpoint.errorHandler();
		if (name == null) {
			return null;
		}
		if (this.beanFactory == null || !this.beanFactory.containsBean(name)) {
			throw new IllegalStateException("@PgqueListener " + endpoint.description() + " names the error handler '"
					+ name + "', but there is no bean of that name");
		}
		return this.beanFactory.getBean(name, PgqueErrorHandler.class);
	}

	private static @Nullable PgqueRetrySettings retry(PgqueListenerEndpoint endpoint, PgqueRetrySettings defaults) {
		if (endpoint.maxAttempts() == null && endpoint.backOff() == null && endpoint.retryDelay() == null) {
			return null;
		}
		PgqueRetrySettings retry = defaults;
		if (endpoint.maxAttempts() != null) {
			retry = retry.withMaxAttempts(endpoint.maxAttempts());
		}
		if (endpoint.backOff() != null) {
			retry = retry.withInitialBackOff(endpoint.backOff());
		}
		if (endpoint.retryDelay() != null) {
			retry = retry.withRetryDelay(endpoint.retryDelay());
		}
		return retry;
	}

	/**
	 * A container-level setting: endpoints sharing the container must not disagree.
	 */
	private static <T> @Nullable T shared(List<PgqueListenerEndpoint> endpoints,
			Function<PgqueListenerEndpoint, @Nullable T> getter, String attribute) {
		T value = null;
		PgqueListenerEndpoint source = null;
		for (PgqueListenerEndpoint endpoint : endpoints) {
			T candidate = getter.apply(endpoint);
			if (candidate == null) {
				continue;
			}
			if (value != null && !Objects.equals(value, candidate)) {
				throw new IllegalStateException("Conflicting @PgqueListener methods for " + endpoint.queue() + "/"
						+ endpoint.consumer() + ": " + source.description() + " and " + endpoint.description()
						+ " share one container but set different " + attribute + " (" + value + " vs " + candidate
						+ ")");
			}
			value = candidate;
			source = endpoint;
		}
		return value;
	}

}
