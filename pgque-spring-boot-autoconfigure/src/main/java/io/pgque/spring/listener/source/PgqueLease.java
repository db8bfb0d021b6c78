package io.pgque.spring.listener.source;

import java.sql.SQLException;

/**
 * The right of one container to work for its (queue, consumer): an advisory lock held on
 * the {@link PgqueLeaseManager}'s connection. Used by one container thread.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueLease {

	private final PgqueLeaseManager manager;

	private final long key;

	private final String name;

	private volatile long generation = -1;

	private volatile int backendPid = -1;

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
		long taken = this.manager.tryLock(this.key);
		if (taken >= 0) {
			this.backendPid = this.manager.backendPid(taken);
		}
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
			this.manager.unlock(this.key, current);
		}
	}

	public long key() {
		return this.key;
	}

	/**
	 * The server process id of the session holding the lock, for checks on the server
	 * side (see {@link PgqueConsumerJdbc#nextBatch(PgqueLease)}).
	 * @return the pid, or -1 when not acquired
	 */
	public int backendPid() {
		return isAcquired() ? this.backendPid : -1;
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
