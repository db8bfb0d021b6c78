package io.pgque.spring.config;

import java.util.List;

import io.pgque.spring.listener.PgqueListenerContainer;

/**
 * Creates the listener container of one (queue, consumer).
 *
 * @author pgque-spring-boot authors
 */
@FunctionalInterface
public interface PgqueListenerContainerFactory {

	/**
	 * Create the container that serves every given endpoint.
	 * @param endpoints the endpoints of one (queue, consumer), at least one
	 * @return the container, not started
	 * @throws IllegalStateException if the endpoints cannot share one container
	 */
	PgqueListenerContainer createContainer(List<PgqueListenerEndpoint> endpoints);

}
