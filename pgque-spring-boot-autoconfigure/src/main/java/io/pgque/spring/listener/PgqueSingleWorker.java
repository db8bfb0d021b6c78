package io.pgque.spring.listener;

import java.util.List;

import io.pgque.spring.listener.source.PgqueLease;
import org.jspecify.annotations.Nullable;

/**
 * The one worker of a container with {@code concurrency} 1: a
 * {@link PgqueContainerWorker} on its own thread, working while it holds the consumer's
 * lease.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueSingleWorker implements PgqueContainerWorkers {

	private final PgqueListenerContainer container;

	private final PgqueLease lease;

	private final PgqueContainerSignals signals = new PgqueContainerSignals();

	private volatile @Nullable PgqueWorkerThread thread;

	PgqueSingleWorker(PgqueListenerContainer container, PgqueLease lease) {
		this.container = container;
		this.lease = lease;
	}

	@Override
	public void start() {
		PgqueContainerWorker work = new PgqueContainerWorker(this.container,
				this.container.createProcessor(this.container.jdbc(), this.signals, this.lease), this.signals,
				this.lease);
		this.signals.reset();
		Thread worker = this.container.newThread(work, null);
		this.thread = new PgqueWorkerThread("Container " + this.container.getId(), worker, this.signals);
		worker.start();
	}

	@Override
	public void awaitStop() {
		PgqueWorkerThread worker = this.thread;
		if (worker != null) {
			PgqueWorkerThread.awaitOrAbandon(List.of(worker), this.container.getOptions().shutdownTimeout(),
					"the batch will be delivered again");
		}
	}

	@Override
	public boolean workerEnded() {
		return true;
	}

	@Override
	public List<PgqueContainerSignals> signals() {
		return List.of(this.signals);
	}

	@Override
	public boolean isActive() {
		return this.lease.isAcquired();
	}

	@Override
	public List<PgqueContainerMember> members() {
		return List.of();
	}

}
