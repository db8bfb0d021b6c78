package io.pgque.spring.listener.adapter;

import io.pgque.spring.core.PgqueMessage;
import org.jspecify.annotations.Nullable;

import org.springframework.core.ResolvableType;

/**
 * Converts a message's payload to the type a listener method asks for.
 *
 * @author pgque-spring-boot authors
 */
@FunctionalInterface
public interface PgquePayloadConverter {

	/**
	 * Convert the payload.
	 * @param message the message
	 * @param targetType the parameter type
	 * @return the converted payload
	 * @throws RuntimeException if the payload cannot be converted
	 */
	@Nullable Object convert(PgqueMessage message, ResolvableType targetType);

}
