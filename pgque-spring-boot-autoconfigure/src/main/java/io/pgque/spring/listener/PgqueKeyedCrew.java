package io.pgque.spring.listener;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.pgque.spring.listener.source.PgqueConsumerJdbc;
import io.pgque.spring.listener.source.PgqueKeySlots;
import org.jspecify.annotations.Nullable;

/**
 * The workers of a container with {@code ordering = KEY}: {@code concurrency} keyed
 * workers ({@link PgqueKeyedWorker}) named {@code <instance-id>-<n>}, on threads of their
 * own, sharing the consumer's partition slots with the keyed workers of every other
 * instance. Started and stopped under the container's lock.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueKeyedCrew implements PgqueContainerWorkers {

	private final PgqueListenerContainer container;

	private final PgqueKeySlots slots;

	private final String instanceId;

	private final PgqueCrewThreads<PgqueKeyedWorker> threads;

	PgqueKeyedCrew(PgqueListenerContainer container, PgqueKeySlots slots, String instanceId) {
		this.container = container;
		this.slots = slots;
		this.instanceId = instanceId;
		this.threads = new PgqueCrewThreads<>(container, "Keyed worker");
	}

	// the slots, not the plain consumer: a keyed consumer is its slots' subscriptions
	@Override
	public boolean subscribe(PgqueConsumerJdbc jdbc, @Nullable Consumer<String> queueCreator,
			boolean subscribeWhenMissing) {
		return this.slots.ensureSubscribed(queueCreator, subscribeWhenMissing) > 0;
	}

	@Override
	public void start() {
		List<PgqueKeyedWorker> created = new ArrayList<>();
		for (int i = 1; i <= this.container.getOptions().concurrency(); i++) {
			created.add(new PgqueKeyedWorker(this.container, this.slots, this.instanceId + "-" + i,
					new PgqueContainerSignals()));
		}
		this.threads.start(created);
	}

	// a worker still in a batch at the timeout rolls it back; its slot's lease expires
	@Override
	public void awaitStop() {
		this.threads.awaitStop("its batch rolls back and its slot is free once the lease expires");
	}

	@Override
	public boolean workerEnded() {
		return this.threads.lastEnded();
	}

	@Override
	public List<PgqueContainerSignals> signals() {
		return this.threads.signals();
	}

	@Override
	public boolean isActive() {
		return this.threads.workers().stream().anyMatch((worker) -> !worker.heldSlots().isEmpty());
	}

	@Override
	public List<PgqueContainerMember> members() {
		return this.threads.members();
	}

}
