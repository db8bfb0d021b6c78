package io.pgque.spring.config;

/**
 * Bean names of the listener infrastructure.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueListenerConfigUtils {

	/**
	 * The annotation bean post-processor.
	 */
	public static final String ANNOTATION_PROCESSOR_BEAN_NAME = "io.pgque.spring.config.internalPgqueListenerAnnotationProcessor";

	/**
	 * The {@link io.pgque.spring.listener.PgqueListenerContainerRegistry}.
	 */
	public static final String REGISTRY_BEAN_NAME = "pgqueListenerContainerRegistry";

	/**
	 * The container factory used when {@code @PgqueListener} names none.
	 */
	public static final String DEFAULT_CONTAINER_FACTORY_BEAN_NAME = "pgqueListenerContainerFactory";

	private PgqueListenerConfigUtils() {
	}

}
