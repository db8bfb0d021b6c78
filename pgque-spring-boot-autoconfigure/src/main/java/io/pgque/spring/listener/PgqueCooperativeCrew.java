package io.pgque.spring.listener;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.pgque.spring.listener.source.PgqueConsumerJdbc;
import io.pgque.spring.listener.source.PgqueCooperativeGroup;
import io.pgque.spring.listener.source.PgqueLease;
import io.pgque.spring.listener.source.PgqueMemberHeartbeat;
import org.jspecify.annotations.Nullable;

/**
 * The workers of a container in cooperative mode ({@code concurrency} above 1): one
 * {@link PgqueCooperativeWorker} per member, each named {@code <instance-id>-<n>}, on
 * threads of their own, and the {@link PgqueMemberKeeper} that heartbeats them. Started
 * and stopped under the container's lock.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueCooperativeCrew implements PgqueContainerWorkers {

	private final PgqueListenerContainer container;

	private final PgqueCooperativeGroup group;

	private final String instanceId;

	private final PgqueLease lease;

	private volatile List<PgqueCooperativeWorker> members = List.of();

	private List<PgqueWorkerThread> threads = List.of();

	private @Nullable PgqueMemberKeeper keeper;

	private final AtomicInteger liveMembers = new AtomicInteger();

	/**
	 * Workers for a container.
	 * @param container the container
	 * @param group its consumer's group
	 * @param instanceId the prefix of the member names
	 * @param lease the application's lease, whose connection carries the heartbeat
	 */
	PgqueCooperativeCrew(PgqueListenerContainer container, PgqueCooperativeGroup group, String instanceId,
			PgqueLease lease) {
		this.container = container;
		this.group = group;
		this.instanceId = instanceId;
		this.lease = lease;
	}

	// the members' and the heartbeat's threads
	@Override
	public void start() {
		PgqueContainerOptions options = this.container.getOptions();
		List<PgqueCooperativeWorker> workers = new ArrayList<>();
		for (int i = 1; i <= options.concurrency(); i++) {
			String member = this.instanceId + "-" + i;
			PgqueContainerSignals memberSignals = new PgqueContainerSignals();
			memberSignals.reset();
			PgqueConsumerJdbc jdbc = this.container.jdbc().member(member, options.deadInterval());
			workers.add(new PgqueCooperativeWorker(this.container,
					this.container.createProcessor(jdbc, memberSignals, null), this.group, member, memberSignals));
		}
		this.members = List.copyOf(workers);
		PgqueMemberKeeper memberKeeper = new PgqueMemberKeeper(this.group, () -> heartbeat(this.lease), workers,
				options);
		this.keeper = memberKeeper;
		this.liveMembers.set(workers.size());
		List<PgqueWorkerThread> started = new ArrayList<>();
		for (PgqueCooperativeWorker member : workers) {
			Thread thread = this.container.newThread(member, member.member());
			started.add(new PgqueWorkerThread("Member '" + member.member() + "' of container " + this.container.getId(),
					thread, member.signals()));
			thread.start();
		}
		this.threads = List.copyOf(started);
		Thread heartbeat = this.container.newThread(memberKeeper, "heartbeat");
		heartbeat.setDaemon(true);
		heartbeat.start();
	}

	private static PgqueMemberHeartbeat heartbeat(PgqueLease lease) {
		try {
			return lease.memberHeartbeat();
		}
		catch (SQLException ex) {
			throw new IllegalStateException("No member heartbeat: " + ex.getMessage(), ex);
		}
	}

	// each member leaves the group as it ends; one still in a batch hands it back
	@Override
	public void awaitStop() {
		PgqueWorkerThread.awaitOrAbandon(this.threads, this.container.getOptions().shutdownTimeout(),
				"the batch is handed back to the group");
	}

	// the last member to end stops the heartbeat too
	@Override
	public boolean workerEnded() {
		if (this.liveMembers.decrementAndGet() > 0) {
			return false;
		}
		PgqueMemberKeeper memberKeeper = this.keeper;
		if (memberKeeper != null) {
			memberKeeper.stop();
		}
		return true;
	}

	@Override
	public List<PgqueContainerSignals> signals() {
		return this.members.stream().map(PgqueCooperativeWorker::signals).toList();
	}

	@Override
	public boolean isActive() {
		return this.members.stream().anyMatch(PgqueCooperativeWorker::isJoined);
	}

	@Override
	public List<PgqueContainerMember> members() {
		List<PgqueContainerMember> views = new ArrayList<>();
		for (PgqueCooperativeWorker member : this.members) {
			long batch = member.batchInHand();
			String state = !member.isRunning() ? "stopped"
					: (batch >= 0) ? "processing" : member.isJoined() ? "idle" : "joining";
			views.add(new PgqueContainerMember(member.member(), state, (batch >= 0) ? batch : null));
		}
		return views;
	}

}
