package io.pgque.spring.listener.error;

/**
 * Decides what follows a failed handler call: try again in place, nack with a delay,
 * dead-letter, or stop the container. Declare a bean of this type to replace the
 * {@link DefaultPgqueErrorHandler default} for every listener, or name a bean in
 * {@code @PgqueListener(errorHandler = ...)} for one listener.
 * <p>
 * Called on the worker thread, inside the batch transaction, after each failed attempt;
 * an implementation should be quick and must not throw.
 *
 * @author pgque-spring-boot authors
 */
@FunctionalInterface
public interface PgqueErrorHandler {

	/**
	 * Decide after a failed attempt.
	 * @param attempt the failed attempt: messages, exception, attempt number, retry
	 * settings
	 * @return the decision
	 */
	PgqueFailureDecision handle(PgqueFailedAttempt attempt);

}
