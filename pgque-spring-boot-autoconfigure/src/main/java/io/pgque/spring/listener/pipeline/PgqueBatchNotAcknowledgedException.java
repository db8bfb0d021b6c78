package io.pgque.spring.listener.pipeline;

import io.pgque.spring.PgqueException;

/**
 * A listener that acknowledges manually did not acknowledge its batch; the batch is
 * delivered again.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueBatchNotAcknowledgedException extends PgqueException {

	public PgqueBatchNotAcknowledgedException(long batchId) {
		super("Batch " + batchId + " was not acknowledged by its listener; it will be delivered again");
	}

}
