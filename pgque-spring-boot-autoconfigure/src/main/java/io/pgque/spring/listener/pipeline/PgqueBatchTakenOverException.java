package io.pgque.spring.listener.pipeline;

import io.pgque.spring.PgqueException;

/**
 * A cooperative member's batch was taken over by another member (this one was silent for
 * longer than the dead interval, or left the group) before it was acked: the ack found
 * the batch gone, so the batch transaction rolls back and nothing this member did for the
 * batch commits; the member that took it over delivers its events.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueBatchTakenOverException extends PgqueException {

	public PgqueBatchTakenOverException(String queue, String consumer, String member, long batchId) {
		super("Batch " + batchId + " of " + queue + "/" + consumer + " was taken over from member '" + member
				+ "' before its ack (the member was silent for longer than the dead interval); its work is rolled"
				+ " back and another member delivers its events");
	}

}
