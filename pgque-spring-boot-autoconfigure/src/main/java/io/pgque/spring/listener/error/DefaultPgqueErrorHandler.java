package io.pgque.spring.listener.error;

import java.time.Duration;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The default {@link PgqueErrorHandler}: not-retryable exceptions go to the dead-letter
 * queue at once; others are retried in place with exponential back-off up to
 * {@link PgqueRetrySettings#maxAttempts()}, then nacked (the engine dead-letters the
 * event once its retry count reaches the queue's limit).
 *
 * @author pgque-spring-boot authors
 */
public class DefaultPgqueErrorHandler implements PgqueErrorHandler {

	private static final Log logger = LogFactory.getLog(DefaultPgqueErrorHandler.class);

	private static final int MAX_REASON_LENGTH = 2000;

	private final List<Class<? extends Throwable>> notRetryable;

	/**
	 * Create an error handler.
	 * @param notRetryable exception types (matched along the cause chain) that go to the
	 * dead-letter queue at once
	 */
	public DefaultPgqueErrorHandler(List<Class<? extends Throwable>> notRetryable) {
		this.notRetryable = List.copyOf(notRetryable);
	}

	@Override
	public PgqueFailureDecision handle(PgqueFailedAttempt attempt) {
		Throwable failure = attempt.failure();
		String reason = reason(failure);
		if (isNotRetryable(failure)) {
			logger.warn(attempt.description() + " failed with a not-retryable exception; dead-lettering: " + reason);
			return PgqueFailureDecision.deadLetter(reason);
		}
		PgqueRetrySettings retry = attempt.retry();
		if (attempt.attempt() < retry.maxAttempts()) {
			Duration backOff = retry.backOffBefore(attempt.attempt() + 1);
			if (logger.isDebugEnabled()) {
				logger.debug(attempt.description() + " failed; retrying in " + backOff.toMillis() + " ms: " + reason);
			}
			return PgqueFailureDecision.retryInPlace(backOff, reason);
		}
		// whether the nack retries or dead-letters is logged once the engine has decided
		logger.warn(attempt.description() + " failed " + retry.maxAttempts() + " time(s); nacking it: " + reason,
				failure);
		return PgqueFailureDecision.nack(retry.retryDelay(), reason);
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
