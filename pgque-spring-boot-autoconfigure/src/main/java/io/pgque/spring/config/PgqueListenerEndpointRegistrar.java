package io.pgque.spring.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.pgque.spring.listener.PgqueListenerContainer;
import io.pgque.spring.listener.PgqueListenerContainerRegistry;

import org.springframework.beans.factory.BeanFactory;

/**
 * Turns endpoints into containers: groups them by (queue, consumer) so that each consumer
 * gets exactly one container, picks the container factory and registers the container in
 * the registry.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueListenerEndpointRegistrar {

	private final BeanFactory beanFactory;

	private final List<PgqueListenerEndpoint> endpoints = new ArrayList<>();

	public PgqueListenerEndpointRegistrar(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	public void registerEndpoint(PgqueListenerEndpoint endpoint) {
		this.endpoints.add(endpoint);
	}

	/**
	 * Create and register a container per (queue, consumer).
	 * @throws IllegalStateException if endpoints of one consumer cannot share a container
	 */
	public void registerContainers() {
		Map<List<String>, List<PgqueListenerEndpoint>> byConsumer = new LinkedHashMap<>();
		for (PgqueListenerEndpoint endpoint : this.endpoints) {
			byConsumer.computeIfAbsent(List.of(endpoint.queue(), endpoint.consumer()), (key) -> new ArrayList<>())
				.add(endpoint);
		}
		PgqueListenerContainerRegistry registry = this.beanFactory.getBean(PgqueListenerConfigUtils.REGISTRY_BEAN_NAME,
				PgqueListenerContainerRegistry.class);
		for (List<PgqueListenerEndpoint> group : byConsumer.values()) {
			String factoryName = factoryName(group);
			PgqueListenerContainerFactory factory = this.beanFactory.getBean(factoryName,
					PgqueListenerContainerFactory.class);
			PgqueListenerContainer container = factory.createContainer(group);
			registry.registerListenerContainer(container);
		}
		this.endpoints.clear();
	}

	private static String factoryName(List<PgqueListenerEndpoint> group) {
		PgqueListenerEndpoint first = group.get(0);
		String name = factoryName(first);
		for (PgqueListenerEndpoint endpoint : group) {
			if (!Objects.equals(name, factoryName(endpoint))) {
				throw new IllegalStateException("Conflicting @PgqueListener methods for " + first.queue() + "/"
						+ first.consumer() + ": " + first.description() + " and " + endpoint.description()
						+ " use different container factories (" + name + " vs " + factoryName(endpoint)
						+ "), which would need a second worker for one consumer");
			}
		}
		return name;
	}

	private static String factoryName(PgqueListenerEndpoint endpoint) {
		String name = endpoint.containerFactory();
		return (name != null) ? name : PgqueListenerConfigUtils.DEFAULT_CONTAINER_FACTORY_BEAN_NAME;
	}

}
