package io.pgque.spring.core;

import java.time.Duration;

import io.pgque.spring.core.PgqueMessage;

/**
 * Manual control over a delivery, injected when a listener method declares a parameter of
 * this type.
 * <p>
 * A method that declares it takes charge of the batch ack: the container acks the batch
 * only if {@link #acknowledge()} was called while handling it; otherwise the batch is
 * treated as failed (rolled back in the transactional modes) and delivered again after
 * the container's failure delay.
 *
 * @author pgque-spring-boot authors
 */
public interface PgqueAcknowledgement {

	/**
	 * Acknowledge the batch: the container acks it once the batch has been dispatched.
	 */
	void acknowledge();

	/**
	 * Deliver the current message (every message of the call, for a batch listener) again
	 * after the delay; the event goes to the dead-letter queue instead when its retry
	 * count has reached the queue's limit. The handler's own writes still commit.
	 * @param delay the delay, in whole seconds
	 */
	void retryLater(Duration delay);

	/**
	 * Deliver one message of a batch listener's call again after the delay.
	 * @param message the message
	 * @param delay the delay, in whole seconds
	 */
	void retryLater(PgqueMessage message, Duration delay);

	/**
	 * Send the current message (every message of the call, for a batch listener) to the
	 * dead-letter queue now. A login that may not execute {@code pgque.event_dead}
	 * (granted to {@code pgque_admin}) nacks it instead; it is dead-lettered once its
	 * retries are used up.
	 * @param reason why, recorded with the dead letter
	 */
	void deadLetter(String reason);

	/**
	 * Send one message of a batch listener's call to the dead-letter queue now.
	 * @param message the message
	 * @param reason why
	 */
	void deadLetter(PgqueMessage message, String reason);

}
