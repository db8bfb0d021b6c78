package io.pgque.spring.listener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import io.pgque.spring.listener.source.PgqueCooperativeGroup;
import io.pgque.spring.listener.source.PgqueMemberHeartbeat;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Keeps a cooperative container's members alive and the group clean: every heartbeat
 * interval it touches this container's members on a session connection of its own (so a
 * long batch is not taken for a dead one), and every dead interval it removes members
 * silent for three dead intervals, left behind by instances that crashed. Removing one
 * hands its open batch back to the group, so nothing is lost.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueMemberKeeper implements Runnable {

	private static final Log logger = LogFactory.getLog(PgqueMemberKeeper.class);

	// how many dead intervals a member must be silent before it is removed: live
	// members heartbeat four times per dead interval, and a batch of a silent member is
	// taken over after one
	static final int SILENT_DEAD_INTERVALS = 3;

	private final PgqueCooperativeGroup group;

	private final Supplier<PgqueMemberHeartbeat> heartbeat;

	private final List<PgqueCooperativeWorker> workers;

	private final PgqueContainerOptions options;

	private final PgqueContainerSignals signals = new PgqueContainerSignals();

	PgqueMemberKeeper(PgqueCooperativeGroup group, Supplier<PgqueMemberHeartbeat> heartbeat,
			List<PgqueCooperativeWorker> workers, PgqueContainerOptions options) {
		this.group = group;
		this.heartbeat = heartbeat;
		this.workers = List.copyOf(workers);
		this.options = options;
	}

	void stop() {
		this.signals.requestStop();
	}

	@Override
	public void run() {
		long lastCleanup = System.nanoTime();
		while (!this.signals.isStopRequested()) {
			this.signals.await(this.options.heartbeatInterval(), false);
			if (this.signals.isStopRequested()) {
				return;
			}
			touch();
			if (System.nanoTime() - lastCleanup >= this.options.deadInterval().toNanos()) {
				lastCleanup = System.nanoTime();
				removeSilentMembers(this.group, this.options.deadInterval(), own());
			}
		}
	}

	private void touch() {
		List<String> joined = new ArrayList<>();
		for (PgqueCooperativeWorker worker : this.workers) {
			if (worker.isJoined()) {
				joined.add(worker.name());
			}
		}
		if (joined.isEmpty()) {
			return;
		}
		try {
			List<String> missing = this.heartbeat.get().touch(this.group.queue(), this.group.consumer(), joined);
			for (PgqueCooperativeWorker worker : this.workers) {
				if (missing.contains(worker.name())) {
					logger.info("Member '" + worker.name() + "' of " + this.group.queue() + "/" + this.group.consumer()
							+ " is no longer in the group; it joins again");
					worker.rejoin();
				}
			}
		}
		catch (Exception ex) {
			logger.warn("Heartbeat of the members of " + this.group.queue() + "/" + this.group.consumer()
					+ " failed; their batches are taken over if it stays down for " + this.options.deadInterval() + ": "
					+ ex);
		}
	}

	private Set<String> own() {
		Set<String> names = new java.util.HashSet<>();
		this.workers.forEach((worker) -> names.add(worker.name()));
		return names;
	}

	/**
	 * Remove the members of a group silent for {@link #SILENT_DEAD_INTERVALS} dead
	 * intervals, handing back their open batches.
	 * @param group the group
	 * @param deadInterval the dead interval
	 * @param spare members never to remove (the caller's own)
	 * @return how many were removed
	 */
	static int removeSilentMembers(PgqueCooperativeGroup group, Duration deadInterval, Set<String> spare) {
		int removed = 0;
		try {
			for (String member : group.silentMembers(deadInterval.multipliedBy(SILENT_DEAD_INTERVALS))) {
				if (!spare.contains(member) && group.leave(member)) {
					removed++;
					logger.warn("Removed member '" + member + "' of cooperative consumer " + group.queue() + "/"
							+ group.consumer() + ": silent for more than "
							+ deadInterval.multipliedBy(SILENT_DEAD_INTERVALS)
							+ " (its instance stopped without leaving); any batch it still held was handed back");
				}
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Could not remove silent members of " + group.queue() + "/" + group.consumer() + ": " + ex);
		}
		return removed;
	}

}
