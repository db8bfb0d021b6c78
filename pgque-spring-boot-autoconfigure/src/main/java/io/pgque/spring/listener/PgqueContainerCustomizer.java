package io.pgque.spring.listener;

/**
 * Customizes every {@link PgqueListenerContainer} a container factory creates, before it
 * is registered and started: declare beans of this type (ordered) to have the
 * auto-configured factory apply them, e.g. to pause containers at start-up or set up
 * anything per container.
 *
 * @author pgque-spring-boot authors
 */
@FunctionalInterface
public interface PgqueContainerCustomizer {

	/**
	 * Customize a container.
	 * @param container the container, not yet started
	 */
	void customize(PgqueListenerContainer container);

}
