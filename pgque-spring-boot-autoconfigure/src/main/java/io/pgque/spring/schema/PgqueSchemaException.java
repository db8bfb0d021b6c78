package io.pgque.spring.schema;

import io.pgque.spring.PgqueException;

/**
 * Thrown when the engine cannot be installed, patched or validated.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueSchemaException extends PgqueException {

	public PgqueSchemaException(String message) {
		super(message);
	}

	public PgqueSchemaException(String message, Throwable cause) {
		super(message, cause);
	}

}
