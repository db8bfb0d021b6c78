package io.pgque.spring.convert;

import io.pgque.spring.PgqueException;

/**
 * Thrown when a payload cannot be converted: to its stored form before sending (nothing
 * is sent), or from its stored form into the requested Java type after receiving.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueConversionException extends PgqueException {

	public PgqueConversionException(String message) {
		super(message);
	}

	public PgqueConversionException(String message, Throwable cause) {
		super(message, cause);
	}

}
