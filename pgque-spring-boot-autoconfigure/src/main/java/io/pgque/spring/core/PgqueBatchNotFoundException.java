package io.pgque.spring.core;

import io.pgque.spring.PgqueException;

/**
 * Thrown when a call names a batch that is unknown or already finished (acknowledged).
 *
 * @author pgque-spring-boot authors
 */
public class PgqueBatchNotFoundException extends PgqueException {

	private final long batchId;

	public PgqueBatchNotFoundException(long batchId, Throwable cause) {
		super("PgQue batch " + batchId + " not found: unknown, or already acknowledged", cause);
		this.batchId = batchId;
	}

	/**
	 * The batch that was not found.
	 * @return the batch id
	 */
	public long getBatchId() {
		return this.batchId;
	}

}
