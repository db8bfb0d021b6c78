package io.pgque.spring;

/**
 * Base of the exceptions PgQue operations throw instead of raw SQL errors.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueException extends RuntimeException {

	public PgqueException(String message) {
		super(message);
	}

	public PgqueException(String message, Throwable cause) {
		super(message, cause);
	}

}
