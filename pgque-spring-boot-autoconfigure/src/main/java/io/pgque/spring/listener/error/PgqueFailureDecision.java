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
	 * Try again in place.
	 * @param delay the back-off before the next attempt
	 * @param reason why the attempt failed
	 * @return the decision
	 */
	public static PgqueFailureDecision retryInPlace(Duration delay, String reason) {
		return new PgqueFailureDecision(Action.RETRY_IN_PLACE, delay, reason);
	}

	/**
	 * Nack: deliver again after the delay, or dead-letter at the queue's retry limit.
	 * @param delay the retry delay
	 * @param reason recorded if the event is dead-lettered
	 * @return the decision
	 */
	public static PgqueFailureDecision nack(Duration delay, String reason) {
		return new PgqueFailureDecision(Action.NACK, delay, reason);
	}

	/**
	 * Dead-letter now.
	 * @param reason the dead-letter reason
	 * @return the decision
	 */
	public static PgqueFailureDecision deadLetter(String reason) {
		return new PgqueFailureDecision(Action.DEAD_LETTER, Duration.ZERO, reason);
	}

	/**
	 * Stop the container; the batch rolls back.
	 * @param reason why
	 * @return the decision
	 */
	public static PgqueFailureDecision stop(String reason) {
		return new PgqueFailureDecision(Action.STOP, Duration.ZERO, reason);
	}

	/**
	 * The actions.
	 */
	public enum Action {

		/** Try again in place after {@code delay}. */
		RETRY_IN_PLACE,

		/** Nack: deliver again after {@code delay}, or dead-letter at the retry limit. */
		NACK,

		/** Dead-letter now. */
		DEAD_LETTER,

		/**
		 * Stop the container: the batch rolls back and is delivered again once the
		 * container is started again.
		 */
		STOP

	}

}
