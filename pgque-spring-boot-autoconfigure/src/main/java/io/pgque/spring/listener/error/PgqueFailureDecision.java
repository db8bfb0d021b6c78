package io.pgque.spring.listener.error;

import java.time.Duration;

/**
 * What to do with a message whose handler failed.
 *
 * @param action the action
 * @param delay the back-off before the next in-place attempt, or the nack's retry delay
 * @param reason the reason recorded with a nack or dead letter
 * @author pgque-spring-boot authors
 */
public record PgqueFailureDecision(Action action, Duration delay, String reason) {

	/**
	 * The actions.
	 */
	public enum Action {

		/** Try again in place after {@code delay}. */
		RETRY_IN_PLACE,

		/** Nack: deliver again after {@code delay}, or dead-letter at the retry limit. */
		NACK,

		/** Dead-letter now. */
		DEAD_LETTER

	}

}
