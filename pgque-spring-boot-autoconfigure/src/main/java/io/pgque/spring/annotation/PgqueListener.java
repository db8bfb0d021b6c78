package io.pgque.spring.annotation;

import io.pgque.spring.core.PgqueHeader;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method as a listener of one PgQue consumer.
 * <p>
 * Every (queue, consumer) pair gets exactly one listener container with a single worker.
 * Several methods may bind to the same pair when their {@link #types()} do not overlap:
 * they share that container and are dispatched by event type. Across JVMs only the
 * instance holding the pair's lease (a PostgreSQL advisory lock) processes; with a
 * {@link #concurrency()} above 1 the container runs that many cooperative workers
 * instead, which share the consumer's batches with those of every other instance.
 * <p>
 * Method parameters may be: the payload (any type the converter reads, {@code String} or
 * {@code byte[]}), the whole {@link io.pgque.spring.core.PgqueMessage}, metadata marked
 * {@link PgqueHeader}, and a {@link io.pgque.spring.core.PgqueAcknowledgement} for manual
 * control. A method with a {@code List} parameter is a batch listener: it gets the
 * batch's messages (or their payloads) in slices of at most {@link #maxBatchSize()}.
 * <p>
 * String attributes accept property placeholders ({@code ${...}}) and SpEL
 * ({@code #{...}}); empty means "use the container factory's default".
 *
 * @author pgque-spring-boot authors
 */
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PgqueListener {

	/**
	 * The queue to consume.
	 * @return the queue name
	 */
	String queue();

	/**
	 * The consumer (subscription) name; every consumer of a queue gets every event.
	 * @return the consumer name
	 */
	String consumer();

	/**
	 * The id of the container, for lookups in the registry. Defaults to
	 * {@code <queue>/<consumer>}.
	 * @return the container id
	 */
	String id() default "";

	/**
	 * Whether the container starts with the application context; {@code true} or
	 * {@code false}, default from the container factory.
	 * @return the auto-startup flag
	 */
	String autoStartup() default "";

	/**
	 * The event types this method handles. Empty means every type when the method is the
	 * consumer's only one; when several methods share the consumer, a method without
	 * types takes the type its payload class is sent with, or, if its payload is a
	 * String, byte[], message or list, every type no other method claims.
	 * @return the event types
	 */
	String[] types() default {};

	/**
	 * The most messages a batch listener receives per call.
	 * @return the size, as a number
	 */
	String maxBatchSize() default "";

	/**
	 * How often a failing message is tried in place (including the first attempt) before
	 * it is nacked.
	 * @return the attempts, as a number
	 */
	String maxAttempts() default "";

	/**
	 * The first back-off delay between in-place attempts (e.g. {@code 200ms}); later ones
	 * grow by the factory's multiplier.
	 * @return the delay
	 */
	String backOff() default "";

	/**
	 * The delay after which a nacked message is delivered again (e.g. {@code 60s}).
	 * @return the delay
	 */
	String retryDelay() default "";

	/**
	 * The bean name of the {@link io.pgque.spring.config.PgqueListenerContainerFactory}
	 * to use; the default one when empty.
	 * @return the bean name
	 */
	String containerFactory() default "";

	/**
	 * The bean name of the {@link io.pgque.spring.listener.error.PgqueErrorHandler} that
	 * decides what follows a failure of this method; the factory's when empty.
	 * @return the bean name
	 */
	String errorHandler() default "";

	/**
	 * How many workers of this instance process the consumer's batches in parallel; more
	 * than 1 makes each worker a cooperative subconsumer (batches of the consumer are
	 * spread over every worker of every instance, see the listener documentation). Empty
	 * means {@code pgque.listener.concurrency} (by default 1: the single worker).
	 * @return the number of workers, as a number of at least 1
	 */
	String concurrency() default "";

	/**
	 * The order the workers keep: {@code NONE} (cooperative workers take consecutive
	 * batches) or {@code KEY} (the events of one partition key are handled one at a time,
	 * in send order, while different keys are handled in parallel by the
	 * {@link #concurrency()} workers of every instance, see the listener documentation).
	 * Empty means {@code NONE}.
	 * @return {@code NONE} or {@code KEY}, in any case
	 */
	String ordering() default "";

	/**
	 * With {@code ordering = KEY}, the number of partition slots the keys are hashed to:
	 * the most workers of all instances that can work at once. The engine pins it for the
	 * consumer once subscribed. Empty means {@code pgque.listener.key-slots} (by default
	 * 16).
	 * @return the slot count, as a number from 1 to 1024
	 */
	String keySlots() default "";

}
