package io.pgque.spring.listener;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
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

	private volatile List<PgqueKeyedWorker> workers = List.of();

	private List<PgqueWorkerThread> threads = List.of();

	private final AtomicInteger liveWorkers = new AtomicInteger();

	PgqueKeyedCrew(PgqueListenerContainer container, PgqueKeySlots slots, String instanceId) {
		this.container = container;
		this.slots = slots;
		this.instanceId = instanceId;
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
			PgqueContainerSignals signals = new PgqueContainerSignals();
			signals.reset();
			created.add(new PgqueKeyedWorker(this.container, this.slots, this.instanceId + "-" + i, signals));
		}
		this.workers = List.copyOf(created);
		this.liveWorkers.set(created.size());
		List<PgqueWorkerThread> started = new ArrayList<>();
		for (PgqueKeyedWorker worker : created) {
			Thread thread = this.container.newThread(worker, worker.worker());
			started.add(new PgqueWorkerThread(
					"Keyed worker '" + worker.worker() + "' of container " + this.container.getId(), thread,
					worker.signals()));
			thread.start();
		}
		this.threads = List.copyOf(started);
	}

	// a worker still in a batch at the timeout rolls it back; its slot's lease expires
	@Override
	public void awaitStop() {
		PgqueWorkerThread.awaitOrAbandon(this.threads, this.container.getOptions().shutdownTimeout(),
				"its batch rolls back and its slot is free once the lease expires");
	}

	@Override
	public boolean workerEnded() {
		return this.liveWorkers.decrementAndGet() <= 0;
	}

	@Override
	public List<PgqueContainerSignals> signals() {
		return this.workers.stream().map(PgqueKeyedWorker::signals).toList();
	}

	@Override
	public boolean isActive() {
		return this.workers.stream().anyMatch((worker) -> !worker.heldSlots().isEmpty());
	}

	@Override
	public List<PgqueContainerMember> members() {
		List<PgqueContainerMember> views = new ArrayList<>();
		for (PgqueKeyedWorker worker : this.workers) {
			long batch = worker.batchInHand();
			String state = !worker.isRunning() ? "stopped"
					: (batch >= 0) ? "processing" : worker.heldSlots().isEmpty() ? "standby" : "idle";
			views
				.add(new PgqueContainerMember(worker.worker(), state, (batch >= 0) ? batch : null, worker.heldSlots()));
		}
		return views;
	}

}
