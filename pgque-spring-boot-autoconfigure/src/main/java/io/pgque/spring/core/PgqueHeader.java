package io.pgque.spring.core;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a listener method parameter to a piece of message metadata.
 *
 * <pre>
 * &#64;PgqueListener(queue = "orders", consumer = "billing")
 * void on(OrderPlaced event, &#64;PgqueHeader(PgqueHeader.Name.ID) long eventId) { ... }
 * </pre>
 *
 * @author pgque-spring-boot authors
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PgqueHeader {

	/**
	 * Which metadata to bind.
	 * @return the name
	 */
	Name value();

	/**
	 * The metadata a parameter can bind to, with the parameter types each accepts.
	 */
	enum Name {

		/** The event id: {@code long}/{@code Long}. */
		ID,

		/** The event type: {@code String}. */
		TYPE,

		/**
		 * How often the event was retried before: {@code int} (0 on first delivery) or
		 * {@code Integer} ({@code null} on first delivery).
		 */
		RETRY_COUNT,

		/** When the event was first sent: {@code OffsetDateTime} or {@code Instant}. */
		CREATED_AT,

		/** The batch id: {@code long}/{@code Long}. */
		BATCH_ID,

		/** The queue name: {@code String}. */
		QUEUE,

		/** The consumer name: {@code String}. */
		CONSUMER,

		/** Extra field 1: {@code String}. */
		EXTRA1,

		/** Extra field 2: {@code String}. */
		EXTRA2,

		/** Extra field 3: {@code String}. */
		EXTRA3,

		/** Extra field 4: {@code String}. */
		EXTRA4

	}

}
