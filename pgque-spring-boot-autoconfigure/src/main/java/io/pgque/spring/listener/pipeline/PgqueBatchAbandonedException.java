package io.pgque.spring.listener.pipeline;

import io.pgque.spring.PgqueException;

/**
 * A batch was given up because its container stopped and the batch did not finish within
 * the shutdown timeout; the batch transaction rolls back and the batch is delivered
 * again.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueBatchAbandonedException extends PgqueException {

	public PgqueBatchAbandonedException(String queue, String consumer, long eventId) {
		super("Batch of " + queue + "/" + consumer + " abandoned at event " + eventId
				+ ": the container stopped and the shutdown timeout passed; the batch will be delivered again");
	}

}
