package io.pgque.spring.config;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Set;

import io.pgque.spring.core.PgqueInvalidNameException;
import io.pgque.spring.core.PgqueNames;
import io.pgque.spring.listener.PgqueOrdering;
import io.pgque.spring.listener.adapter.PgqueHandlerMethod;
import org.jspecify.annotations.Nullable;

/**
 * One listener method with its resolved {@code @PgqueListener} settings; {@code null}
 * means "the factory's default".
 *
 * @param bean the bean to invoke the method on
 * @param method the method
 * @param queue the queue
 * @param consumer the consumer
 * @param id the container id
 * @param autoStartup whether the container starts with the context
 * @param types the event types the method handles
 * @param maxBatchSize the largest slice for a batch listener
 * @param maxAttempts in-place attempts
 * @param backOff the first back-off delay
 * @param retryDelay the nack retry delay
 * @param containerFactory the container factory bean name
 * @param errorHandler the error handler bean name
 * @param concurrency the number of workers in this instance
 * @param ordering the order the workers keep
 * @param keySlots the partition slots of a keyed consumer
 * @author pgque-spring-boot authors
 */
public record PgqueListenerEndpoint(Object bean, Method method, String queue, String consumer, @Nullable String id,
		@Nullable Boolean autoStartup, Set<String> types, @Nullable Integer maxBatchSize, @Nullable Integer maxAttempts,
		@Nullable Duration backOff, @Nullable Duration retryDelay, @Nullable String containerFactory,
		@Nullable String errorHandler, @Nullable Integer concurrency, @Nullable PgqueOrdering ordering,
		@Nullable Integer keySlots) {

	/**
	 * Create an endpoint.
	 * @throws IllegalArgumentException if the queue or consumer name is unusable (too
	 * long for the queue's NOTIFY channel, blank, ...), naming the method
	 */
	public PgqueListenerEndpoint {
		try {
			PgqueNames.requireQueue(queue);
			PgqueNames.requireConsumer(consumer);
		}
		catch (PgqueInvalidNameException ex) {
			throw new IllegalArgumentException(
					"Listener method " + PgqueHandlerMethod.describe(method) + ": " + ex.getMessage(), ex);
		}
		types = Set.copyOf(types);
	}

	/**
	 * A minimal endpoint with every setting at the factory's default.
	 * @param bean the bean
	 * @param method the method
	 * @param queue the queue
	 * @param consumer the consumer
	 * @return the endpoint
	 */
	public static PgqueListenerEndpoint of(Object bean, Method method, String queue, String consumer) {
		return new PgqueListenerEndpoint(bean, method, queue, consumer, null, null, Set.of(), null, null, null, null,
				null, null, null, null, null);
	}

	/**
	 * The method, readably.
	 * @return the description
	 */
	public String description() {
		return PgqueHandlerMethod.describe(this.method);
	}

}
