package io.pgque.spring.core;

import io.pgque.spring.PgqueException;

/**
 * Thrown when a dead-letter entry to replay does not exist (any more).
 *
 * @author pgque-spring-boot authors
 */
public class PgqueDeadLetterNotFoundException extends PgqueException {

	private final long deadLetterId;

	public PgqueDeadLetterNotFoundException(long deadLetterId, Throwable cause) {
		super("PgQue dead-letter entry " + deadLetterId + " not found: unknown, already replayed or purged", cause);
		this.deadLetterId = deadLetterId;
	}

	/**
	 * The dead-letter entry that was not found.
	 * @return the dead-letter id ({@code dl_id})
	 */
	public long getDeadLetterId() {
		return this.deadLetterId;
	}

}
