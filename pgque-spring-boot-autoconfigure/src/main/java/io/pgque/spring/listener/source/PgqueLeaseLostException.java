package io.pgque.spring.listener.source;

import io.pgque.spring.PgqueException;

/**
 * The session that held a container's lease no longer holds the lock: the container must
 * stand by instead of touching the batch.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueLeaseLostException extends PgqueException {

	public PgqueLeaseLostException(String queue, String consumer) {
		super("Lease of " + queue + "/" + consumer + " is no longer held");
	}

}
