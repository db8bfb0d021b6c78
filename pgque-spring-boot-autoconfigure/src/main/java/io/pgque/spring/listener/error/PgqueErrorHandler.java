package io.pgque.spring.listener.error;

import java.time.Duration;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.util.backoff.BackOffExecution;

/**
 * Decides what happens after a handler failure: not-retryable exceptions go to the
 * dead-letter queue at once; others are retried in place per the back-off, then nacked
 * (the engine dead-letters the event once its retry count reaches the queue's limit).
 *
 * @author pgque-spring-boot authors
 */
public class PgqueErrorHandler {

	private static final Log logger = LogFactory.getLog(PgqueErrorHandler.class);

	private static final int MAX_REASON_LENGTH = 2000;

	private final List<Class<? extends Throwable>> notRetryable;

	public PgqueErrorHandler(List<Class<? extends Throwable>> notRetryable) {
		this.notRetryable = List.copyOf(notRetryable);
	}

	/**
	 * Decide after a failed attempt.
	 * @param failure what the handler threw
	 * @param retry the handler's retry settings
	 * @param backOff the back-off execution of this message's attempts
	 * @param description what failed, for the log
	 * @return the decision
	 */
	public PgqueFailureDecision decide(Throwable failure, PgqueRetrySettings retry, BackOffExecution backOff,
			String description) {
		String reason = reason(failure);
		if (isNotRetryable(failure)) {
			logger.warn(description + " failed with a not-retryable exception; dead-lettering: " + reason);
			return new PgqueFailureDecision(PgqueFailureDecision.Action.DEAD_LETTER, Duration.ZERO, reason);
		}
		long next = backOff.nextBackOff();
		if (next != BackOffExecution.STOP) {
			if (logger.isDebugEnabled()) {
				logger.debug(description + " failed; retrying in " + next + " ms: " + reason);
			}
			return new PgqueFailureDecision(PgqueFailureDecision.Action.RETRY_IN_PLACE, Duration.ofMillis(next),
					reason);
		}
		logger.warn(description + " failed " + retry.maxAttempts() + " time(s); nacking with retry in "
				+ retry.retryDelay().toSeconds() + " s: " + reason, failure);
		return new PgqueFailureDecision(PgqueFailureDecision.Action.NACK, retry.retryDelay(), reason);
	}

	/**
	 * Whether the failure, or any of its causes, is of a not-retryable type.
	 * @param failure the failure
	 * @return whether to dead-letter at once
	 */
	public boolean isNotRetryable(Throwable failure) {
		for (Throwable current = failure; current != null; current = current.getCause()) {
			for (Class<? extends Throwable> type : this.notRetryable) {
				if (type.isInstance(current)) {
					return true;
				}
			}
			if (current.getCause() == current) {
				break;
			}
		}
		return false;
	}

	/**
	 * The dead-letter reason of a failure: its class and message, capped in length.
	 * @param failure the failure
	 * @return the reason
	 */
	public static String reason(Throwable failure) {
		String reason = failure.toString();
		return (reason.length() > MAX_REASON_LENGTH) ? reason.substring(0, MAX_REASON_LENGTH) : reason;
	}

}
