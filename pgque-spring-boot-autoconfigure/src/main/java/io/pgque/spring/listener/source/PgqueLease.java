package io.pgque.spring.listener.source;

import java.sql.SQLException;

import org.jspecify.annotations.Nullable;

/**
 * The right of one container to work for its (queue, consumer), kept by the
 * {@link PgqueLeaseManager} as an advisory lock or a row of {@code pgque.lease} (see
 * {@code pgque.lease.mode}). Used by one container thread.
 * <p>
 * Every batch is opened, and in table mode finished, by a statement that checks on the
 * server that this acquisition still holds the lease (see
 * {@link PgqueConsumerJdbc#open(PgqueLease)}): a container that lost it can neither open
 * nor commit a batch.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueLease {

	private final PgqueLeaseManager manager;

	private final String queue;

	private final String consumer;

	private volatile @Nullable PgqueLeaseHold hold;

	PgqueLease(PgqueLeaseManager manager, String queue, String consumer) {
		this.manager = manager;
		this.queue = queue;
		this.consumer = consumer;
	}

	/**
	 * Try to take the lease; returns at once.
	 * @return whether it is held now
	 * @throws SQLException if the database cannot be reached
	 */
	public boolean tryAcquire() throws SQLException {
		if (this.hold != null) {
			return true;
		}
		PgqueLeaseHold taken = this.manager.tryAcquire(this.queue, this.consumer);
		this.hold = taken;
		return taken != null;
	}

	/**
	 * Whether the lease was acquired and not given up; does not ask the database.
	 * @return whether it is believed held
	 */
	public boolean isAcquired() {
		return this.hold != null;
	}

	/**
	 * Check, with one round trip at most, that the lease is still held; if not it is
	 * marked lost.
	 * @return whether it is held
	 */
	public boolean verify() {
		PgqueLeaseHold current = this.hold;
		if (current == null) {
			return false;
		}
		if (current.isValid()) {
			return true;
		}
		this.hold = null;
		return false;
	}

	/**
	 * Give the lease up.
	 */
	public void release() {
		PgqueLeaseHold current = this.hold;
		this.hold = null;
		if (current != null) {
			current.release();
		}
	}

	/**
	 * Mark the lease lost after the server said it is not held.
	 */
	public void lost() {
		this.hold = null;
	}

	/**
	 * The heartbeat of cooperative members, kept on the connections of the leases: in
	 * cooperative mode the members' rows are the right to work, and the heartbeat keeps
	 * them.
	 * @return the application's member heartbeat
	 * @throws IllegalStateException if the lease manager is closed
	 */
	public PgqueMemberHeartbeat memberHeartbeat() {
		return this.manager.memberHeartbeat();
	}

	/**
	 * The current acquisition, for the checks on the server side.
	 * @return the acquisition
	 * @throws PgqueLeaseLostException if the lease is not acquired
	 */
	PgqueLeaseHold hold() {
		PgqueLeaseHold current = this.hold;
		if (current == null) {
			throw new PgqueLeaseLostException(this.queue, this.consumer);
		}
		return current;
	}

	@Override
	public String toString() {
		return "lease " + this.queue + "/" + this.consumer;
	}

}
