package io.pgque.spring.listener.adapter;

import io.pgque.spring.PgqueException;

/**
 * A message's payload could not be converted to the listener method's parameter type. Not
 * retryable by default: the message goes straight to the dead-letter queue.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueArgumentConversionException extends PgqueException {

	public PgqueArgumentConversionException(String message, Throwable cause) {
		super(message, cause);
	}

}
