package io.pgque.spring.listener.error;

/**
 * Thrown when a {@link PgqueErrorHandler} decides to stop the container: the batch rolls
 * back, to be delivered again once the container is started again, and the container's
 * worker ends.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueStopContainerException extends RuntimeException {

	public PgqueStopContainerException(String description, Throwable cause) {
		super(description + " failed; the error handler stops the container (the batch will be delivered again)",
				cause);
	}

}
