package io.pgque.spring.listener.source;

/**
 * One acquisition of a {@link PgqueLease}: what the batch statements check on the server
 * (the witness key of an advisory lease, the epoch of a table lease).
 *
 * @author pgque-spring-boot authors
 */
sealed interface PgqueLeaseHold permits PgqueAdvisoryLeases.Hold, PgqueTableLeases.Hold {

	/**
	 * Whether the acquisition still stands, as far as this JVM can tell (one round trip
	 * at most).
	 * @return whether it does
	 */
	boolean isValid();

	/**
	 * Give the acquisition up.
	 */
	void release();

}
