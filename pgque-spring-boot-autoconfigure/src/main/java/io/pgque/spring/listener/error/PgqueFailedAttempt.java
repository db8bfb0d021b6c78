package io.pgque.spring.listener.error;

import java.util.List;

import io.pgque.spring.core.PgqueMessage;

/**
 * A failed handler call, as a {@link PgqueErrorHandler} sees it.
 *
 * @param messages the message(s) of the call: one, or several for a batch listener
 * @param failure what the handler threw
 * @param attempt the number of the attempt that failed in this delivery, from 1; the
 * deliveries before it are counted by {@link PgqueMessage#attempt()}
 * @param retry the listener's retry settings
 * @param description what failed (listener, event, queue and consumer), for logs
 * @author pgque-spring-boot authors
 */
public record PgqueFailedAttempt(List<PgqueMessage> messages, Throwable failure, int attempt, PgqueRetrySettings retry,
		String description) {

	public PgqueFailedAttempt {
		messages = List.copyOf(messages);
		if (attempt < 1) {
			throw new IllegalArgumentException("attempt must be at least 1 but was " + attempt);
		}
	}

}
