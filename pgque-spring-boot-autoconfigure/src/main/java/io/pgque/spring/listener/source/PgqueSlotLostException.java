package io.pgque.spring.listener.source;

import io.pgque.spring.PgqueException;

/**
 * A keyed worker no longer holds the lease of a partition slot (it expired and another
 * worker took it, or it was never claimed): the engine refused the slot's receive or ack,
 * and the transaction it ran in must roll back.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueSlotLostException extends PgqueException {

	public PgqueSlotLostException(String queue, String consumer, int slot, String worker, Throwable cause) {
		super("Worker '" + worker + "' lost slot " + slot + " of " + queue + "/" + consumer + ": " + cause.getMessage(),
				cause);
	}

}
