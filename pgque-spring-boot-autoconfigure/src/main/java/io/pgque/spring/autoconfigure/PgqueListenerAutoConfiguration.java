package io.pgque.spring.autoconfigure;

import java.util.concurrent.ThreadFactory;

import javax.sql.DataSource;

import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.annotation.PgqueListenerAnnotationBeanPostProcessor;
import io.pgque.spring.config.DefaultPgqueListenerContainerFactory;
import io.pgque.spring.config.PgqueListenerConfigUtils;
import io.pgque.spring.convert.PgquePayloadConverter;
import io.pgque.spring.core.PgqueQueue;
import io.pgque.spring.core.PgqueQueueDeclarer;
import io.pgque.spring.listener.PgqueContainerCustomizer;
import io.pgque.spring.listener.pipeline.PgqueListenerObserver;
import io.pgque.spring.listener.PgqueListenerContainerRegistry;
import io.pgque.spring.listener.error.DefaultPgqueErrorHandler;
import io.pgque.spring.listener.error.PgqueErrorHandler;
import io.pgque.spring.listener.source.PgqueLeaseManager;
import io.pgque.spring.listener.source.PgqueNotificationListener;
import org.postgresql.Driver;
import org.postgresql.PGConnection;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Auto-configuration of {@link PgqueListener @PgqueListener} methods: the annotation
 * processor, the container registry, the default container factory from
 * {@code pgque.listener.*}, and the two connections the containers share (leases and
 * LISTEN).
 *
 * @author pgque-spring-boot authors
 */
@AutoConfiguration(after = PgqueAutoConfiguration.class)
@ConditionalOnClass({ PgqueListener.class, PGConnection.class })
@ConditionalOnBean(DataSource.class)
@ConditionalOnBooleanProperty(name = "pgque.listener.enabled", matchIfMissing = true)
@EnableConfigurationProperties(PgqueProperties.class)
public final class PgqueListenerAutoConfiguration {

	@Bean(name = PgqueListenerConfigUtils.ANNOTATION_PROCESSOR_BEAN_NAME)
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static PgqueListenerAnnotationBeanPostProcessor pgqueListenerAnnotationBeanPostProcessor() {
		return new PgqueListenerAnnotationBeanPostProcessor();
	}

	@Bean(name = PgqueListenerConfigUtils.REGISTRY_BEAN_NAME)
	@ConditionalOnMissingBean
	PgqueListenerContainerRegistry pgqueListenerContainerRegistry(Environment environment) {
		PgqueListenerContainerRegistry registry = new PgqueListenerContainerRegistry();
		registry.setThreadFactory(threads(environment));
		return registry;
	}

	private static ThreadFactory threads(Environment environment) {
		return PgqueThreads.of(environment, "pgque-", new CustomizableThreadFactory("pgque-"));
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	@DependsOnDatabaseInitialization
	PgqueLeaseManager pgqueLeaseManager(@PgqueDataSource ObjectProvider<DataSource> pgqueDataSource,
			ObjectProvider<DataSource> dataSource, PgqueProperties properties, Environment environment,
			ConfigurableListableBeanFactory beanFactory) {
		// closed only after the registry is destroyed, which waits for the containers: a
		// lease given up under a batch still running would refuse its ack, and the batch
		// would be delivered again to the standby (should shutdown not wait for the
		// containers, e.g. a lifecycle phase timeout shorter than the shutdown timeout)
		if (beanFactory.containsBeanDefinition(PgqueListenerConfigUtils.REGISTRY_BEAN_NAME)) {
			beanFactory.registerDependentBean("pgqueLeaseManager", PgqueListenerConfigUtils.REGISTRY_BEAN_NAME);
		}
		return new PgqueLeaseManager(PgqueControlConnections.of(PgqueDataSources.resolve(pgqueDataSource, dataSource)),
				properties.getLease().toOptions(),
				PgqueThreads.of(environment, "pgque-lease-", PgqueLeaseManager.platformThreads()));
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	@DependsOnDatabaseInitialization
	PgqueNotificationListener pgqueNotificationListener(@PgqueDataSource ObjectProvider<DataSource> pgqueDataSource,
			ObjectProvider<DataSource> dataSource, PgqueProperties properties, Environment environment) {
		PgqueProperties.Listener listener = properties.getListener();
		String url = listener.getNotificationUrl();
		// a direct connection named by the user, for LISTEN behind a pooler
		DataSource listenOn = (url != null)
				? new SimpleDriverDataSource(new Driver(), url, listener.getNotificationUsername(),
						listener.getNotificationPassword())
				: PgqueControlConnections.of(PgqueDataSources.resolve(pgqueDataSource, dataSource));
		CustomizableThreadFactory daemon = new CustomizableThreadFactory("pgque-");
		daemon.setDaemon(true);
		return new PgqueNotificationListener(listenOn, listener.getNotifications(),
				listener.getNotificationPollInterval(), PgqueThreads.of(environment, "pgque-", daemon));
	}

	@Bean
	@ConditionalOnMissingBean
	PgqueConnectionBudget pgqueConnectionBudget(@PgqueDataSource ObjectProvider<DataSource> pgqueDataSource,
			ObjectProvider<DataSource> dataSource, ObjectProvider<PgqueListenerContainerRegistry> registry) {
		return new PgqueConnectionBudget(PgqueDataSources.resolve(pgqueDataSource, dataSource), registry,
				pgqueDataSource.getIfAvailable() != null);
	}

	@Bean
	@ConditionalOnMissingBean
	PgqueErrorHandler pgqueErrorHandler(PgqueProperties properties) {
		return new DefaultPgqueErrorHandler(
				PgqueListenerContainerFactoryConfigurer.options(properties.getListener()).notRetryableExceptions());
	}

	@Bean
	@ConditionalOnMissingBean
	PgqueListenerContainerFactoryConfigurer pgqueListenerContainerFactoryConfigurer(PgqueProperties properties,
			ObjectProvider<PgqueErrorHandler> errorHandler, ObjectProvider<PgqueContainerCustomizer> customizers) {
		return new PgqueListenerContainerFactoryConfigurer(properties.getListener(), errorHandler.getIfUnique(),
				customizers.orderedStream().toList());
	}

	@Bean(name = PgqueListenerConfigUtils.DEFAULT_CONTAINER_FACTORY_BEAN_NAME)
	@ConditionalOnMissingBean(name = PgqueListenerConfigUtils.DEFAULT_CONTAINER_FACTORY_BEAN_NAME)
	@DependsOnDatabaseInitialization
	DefaultPgqueListenerContainerFactory pgqueListenerContainerFactory(
			@PgqueDataSource ObjectProvider<DataSource> pgqueDataSource, ObjectProvider<DataSource> dataSource,
			PgqueProperties properties, PgqueLeaseManager leaseManager, PgqueNotificationListener notificationListener,
			PgquePayloadConverter payloadConverter, ObjectProvider<PgqueQueueDeclarer> queueDeclarer,
			PgqueListenerContainerFactoryConfigurer configurer, BeanFactory beanFactory, Environment environment,
			ObjectProvider<PgqueListenerObserver> listenerObservers) {
		DefaultPgqueListenerContainerFactory factory = new DefaultPgqueListenerContainerFactory(
				PgqueDataSources.resolve(pgqueDataSource, dataSource), leaseManager, notificationListener,
				payloadConverter);
		PgqueProperties.Listener listener = properties.getListener();
		configurer.configure(factory);
		// metrics and observations, when their auto-configurations declared them; looked
		// up
		// when the first container starts (see the template's send observer)
		factory.setListenerObserver(
				PgqueListenerObserver.lazy(() -> PgqueListenerObserver.of(listenerObservers.orderedStream().toList())));
		queueDeclarer
			.ifAvailable((declarer) -> factory.setQueueCreator((queue) -> declarer.declare(PgqueQueue.of(queue))));
		if (listener.getTransactionManager() != null) {
			factory.setTransactionManager(
					beanFactory.getBean(listener.getTransactionManager(), PlatformTransactionManager.class));
		}
		factory.setThreadFactory(threads(environment));
		return factory;
	}

}
