package io.pgque.spring.listener;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of a crew of workers, one each: started together, counted as they end,
 * stopped within one shared timeout, and shown as the container's members. Started and
 * stopped under the container's lock.
 *
 * @param <W> the kind of worker
 * @author pgque-spring-boot authors
 */
final class PgqueCrewThreads<W extends PgqueCrewWorker> {

	private final PgqueListenerContainer container;

	private final String kind;

	private volatile List<W> workers = List.of();

	private List<PgqueWorkerThread> threads = List.of();

	private final AtomicInteger live = new AtomicInteger();

	/**
	 * Threads for a container's crew.
	 * @param container the container
	 * @param kind how the log names one worker ("Member", "Keyed worker")
	 */
	PgqueCrewThreads(PgqueListenerContainer container, String kind) {
		this.container = container;
		this.kind = kind;
	}

	/**
	 * Start a thread for each worker.
	 * @param crew the workers
	 */
	void start(List<W> crew) {
		this.workers = List.copyOf(crew);
		this.live.set(this.workers.size());
		List<PgqueWorkerThread> started = new ArrayList<>();
		for (W worker : this.workers) {
			Thread thread = this.container.newThread(worker, worker.name());
			started.add(
					new PgqueWorkerThread(this.kind + " '" + worker.name() + "' of container " + this.container.getId(),
							thread, worker.signals()));
			thread.start();
		}
		this.threads = List.copyOf(started);
	}

	List<W> workers() {
		return this.workers;
	}

	/**
	 * Wait for the workers, already asked to stop, within the container's shutdown
	 * timeout; abandon and interrupt any still in a batch.
	 * @param afterwards what becomes of an abandoned batch, for the log
	 */
	void awaitStop(String afterwards) {
		PgqueWorkerThread.awaitOrAbandon(this.threads, this.container.getOptions().shutdownTimeout(), afterwards);
	}

	/**
	 * A worker's thread ended.
	 * @return whether it was the last
	 */
	boolean lastEnded() {
		return this.live.decrementAndGet() <= 0;
	}

	List<PgqueContainerSignals> signals() {
		return this.workers.stream().map(PgqueCrewWorker::signals).toList();
	}

	List<PgqueContainerMember> members() {
		return this.workers.stream().map(PgqueCrewWorker::view).toList();
	}

}
