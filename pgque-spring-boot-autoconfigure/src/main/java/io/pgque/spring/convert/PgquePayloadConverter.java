package io.pgque.spring.convert;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

/**
 * Converts payloads between Java objects and the text an event carries. The template uses
 * it to send, and to read a received message into a requested type (as does the listener
 * method adapter). Declare a bean of this type to replace the default
 * ({@link PgqueJsonPayloadConverter}).
 *
 * @author pgque-spring-boot authors
 */
public interface PgquePayloadConverter {

	/**
	 * Convert an object to be sent.
	 * @param payload the object
	 * @return its stored form
	 * @throws PgqueConversionException if it cannot be converted
	 */
	PgquePayload toPayload(Object payload);

	/**
	 * The event type an object is sent with when the caller names none.
	 * @param payload the object
	 * @return the type name
	 */
	String typeName(Object payload);

	/**
	 * The event type objects of a class are sent with when the caller names none. The
	 * listener uses it to route events by type to methods by parameter type.
	 * @param type the class
	 * @return the type name
	 */
	String typeName(Class<?> type);

	/**
	 * Read a stored payload into a Java type.
	 * @param payload the stored text, {@code null} if the event has none
	 * @param eventType the event's type name, for converters that dispatch on it
	 * @param targetType the type to read into; may be generic (e.g. {@code List<Order>})
	 * @return the object, {@code null} when the payload is {@code null}
	 * @throws PgqueConversionException if it cannot be read
	 */
	@Nullable Object fromPayload(@Nullable String payload, @Nullable String eventType, Type targetType);

	/**
	 * Read a stored payload into a Java class.
	 * @param <T> the class
	 * @param payload the stored text, {@code null} if the event has none
	 * @param eventType the event's type name
	 * @param targetType the class to read into
	 * @return the object, {@code null} when the payload is {@code null}
	 * @throws PgqueConversionException if it cannot be read
	 */
	@SuppressWarnings("unchecked")
	default <T> @Nullable T fromPayload(@Nullable String payload, @Nullable String eventType, Class<T> targetType) {
		return (T) fromPayload(payload, eventType, (Type) targetType);
	}

}
