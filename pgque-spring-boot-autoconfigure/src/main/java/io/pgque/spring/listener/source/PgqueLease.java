package io.pgque.spring.listener.source;

import java.security.SecureRandom;
import java.sql.SQLException;

/**
 * The right of one container to work for its (queue, consumer): an advisory lock held on
 * the {@link PgqueLeaseManager}'s connection. Used by one container thread.
 * <p>
 * With the lease, the same connection locks a <em>witness</em>: a random key drawn for
 * each acquisition, which no other session ever locks. The statement that opens a batch
 * checks the witness with a lock probe (a shared try-lock fails while the witness is
 * held), which is as strict as looking the lease up in {@code pg_locks} and much cheaper:
 * the witness is held exactly while this acquisition's session lives and has not released
 * the lease.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueLease {

	private static final SecureRandom WITNESSES = new SecureRandom();

	private final PgqueLeaseManager manager;

	private final long key;

	private final String name;

	private volatile long generation = -1;

	private volatile long witness;

	PgqueLease(PgqueLeaseManager manager, long key, String name) {
		this.manager = manager;
		this.key = key;
		this.name = name;
	}

	/**
	 * Try to take the lease; returns at once.
	 * @return whether it is held now
	 * @throws SQLException if the database cannot be reached
	 */
	public boolean tryAcquire() throws SQLException {
		if (this.generation >= 0) {
			return true;
		}
		long candidate = WITNESSES.nextLong();
		long taken = this.manager.tryLock(this.key, candidate);
		this.witness = candidate;
		this.generation = taken;
		return taken >= 0;
	}

	/**
	 * Whether the lease was acquired and not given up; does not ask the database.
	 * @return whether it is believed held
	 */
	public boolean isAcquired() {
		return this.generation >= 0;
	}

	/**
	 * Check, with one round trip, that the lease is still held; if not it is marked lost.
	 * @return whether it is held
	 */
	public boolean verify() {
		long current = this.generation;
		if (current < 0) {
			return false;
		}
		if (this.manager.isValid(current)) {
			return true;
		}
		this.generation = -1;
		return false;
	}

	/**
	 * Give the lease up.
	 */
	public void release() {
		long current = this.generation;
		this.generation = -1;
		if (current >= 0) {
			this.manager.unlock(this.key, this.witness, current);
		}
	}

	/**
	 * The witness key of the current acquisition, for checks on the server side (see
	 * {@link PgqueConsumerJdbc#open(PgqueLease)}).
	 * @return the key
	 * @throws IllegalStateException if the lease is not acquired
	 */
	public long witnessKey() {
		if (!isAcquired()) {
			throw new IllegalStateException(this + " is not acquired");
		}
		return this.witness;
	}

	/**
	 * Mark the lease lost after the server said the lock is not held.
	 */
	public void lost() {
		this.generation = -1;
	}

	@Override
	public String toString() {
		return "lease " + this.name;
	}

}
