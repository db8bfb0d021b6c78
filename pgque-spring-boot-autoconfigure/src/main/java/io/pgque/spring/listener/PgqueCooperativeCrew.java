package io.pgque.spring.listener;

import java.util.ArrayList;
import java.util.List;

import io.pgque.spring.listener.source.PgqueConsumerJdbc;
import io.pgque.spring.listener.source.PgqueCooperativeGroup;
import io.pgque.spring.listener.source.PgqueLease;
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

	private final PgqueCrewThreads<PgqueCooperativeWorker> threads;

	private @Nullable PgqueMemberKeeper keeper;

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
		this.threads = new PgqueCrewThreads<>(container, "Member");
	}

	// the members' and the heartbeat's threads
	@Override
	public void start() {
		PgqueContainerOptions options = this.container.getOptions();
		List<PgqueCooperativeWorker> workers = new ArrayList<>();
		for (int i = 1; i <= options.concurrency(); i++) {
			String member = this.instanceId + "-" + i;
			PgqueContainerSignals memberSignals = new PgqueContainerSignals();
			PgqueConsumerJdbc jdbc = this.container.jdbc().member(member, options.deadInterval());
			workers.add(new PgqueCooperativeWorker(this.container,
					this.container.createProcessor(jdbc, memberSignals, null), this.group, member, memberSignals));
		}
		PgqueMemberKeeper memberKeeper = new PgqueMemberKeeper(this.group, this.lease::memberHeartbeat, workers,
				options);
		this.keeper = memberKeeper;
		this.threads.start(workers);
		Thread heartbeat = this.container.newThread(memberKeeper, "heartbeat");
		heartbeat.setDaemon(true);
		heartbeat.start();
	}

	// each member leaves the group as it ends; one still in a batch hands it back
	@Override
	public void awaitStop() {
		this.threads.awaitStop("the batch is handed back to the group");
	}

	// the last member to end stops the heartbeat too
	@Override
	public boolean workerEnded() {
		if (!this.threads.lastEnded()) {
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
		return this.threads.signals();
	}

	@Override
	public boolean isActive() {
		return this.threads.workers().stream().anyMatch(PgqueCooperativeWorker::isJoined);
	}

	@Override
	public List<PgqueContainerMember> members() {
		return this.threads.members();
	}

}
