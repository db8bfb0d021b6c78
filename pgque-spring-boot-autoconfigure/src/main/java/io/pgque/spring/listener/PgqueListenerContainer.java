package io.pgque.spring.listener;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import io.pgque.spring.listener.PgqueListenerContainerEvent.Kind;
import io.pgque.spring.listener.pipeline.PgqueBatchProcessor;
import io.pgque.spring.listener.adapter.PgqueHandlerDispatcher;
import io.pgque.spring.listener.error.PgqueErrorHandler;
import io.pgque.spring.listener.source.PgqueConsumerJdbc;
import io.pgque.spring.listener.source.PgqueCooperativeGroup;
import io.pgque.spring.listener.source.PgqueLease;
import io.pgque.spring.listener.source.PgqueNotificationListener;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * The workers of one (queue, consumer) in this application, which wait for ticks and hand
 * each batch to their {@link PgqueBatchProcessor}. Created by a container factory and
 * managed by the {@link PgqueListenerContainerRegistry}.
 * <p>
 * With {@linkplain PgqueContainerOptions#concurrency() concurrency} 1 the one worker
 * works while it holds the consumer's lease ({@link PgqueSingleWorker}); above 1 it runs
 * that many cooperative members (subconsumers) of the consumer named
 * {@code <instance-id>-<n>}, without a lease: the engine hands consecutive batches to the
 * members of every instance ({@link PgqueCooperativeCrew}). With
 * {@linkplain PgqueContainerOptions#ordering() ordering} {@code KEY} it runs that many
 * keyed workers, which share the consumer's partition slots with those of every instance
 * ({@link PgqueKeyedCrew}).
 * <p>
 * This class is only the lifecycle: start, stop, pause, state and events. The loops are
 * the workers'; the lease, the SQL, dispatching, transactions and error handling live in
 * small collaborators, which the container assembles into each worker's batch processor
 * when it starts, from the {@link PgqueContainerParts} it was created with. Waits,
 * wake-ups and stop requests go through {@link PgqueContainerSignals}.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueListenerContainer implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(PgqueListenerContainer.class);

	private final String id;

	private final PgqueContainerOptions options;

	private final PgqueContainerParts parts;

	private final PgqueContainerEvents events;

	// guards start and stop
	private final ReentrantLock lock = new ReentrantLock();

	private volatile boolean running;

	private final PgqueContainerPause pause = new PgqueContainerPause();

	// set when the worker ended by a failure; a start clears it
	private volatile boolean failed;

	private final PgqueContainerWorkers workers;

	private volatile PgqueNotificationListener.@Nullable Registration notificationRegistration;

	/**
	 * Create a container.
	 * @param id the container id
	 * @param options the options
	 * @param parts what it assembles its batch pipeline from
	 * @param events where to publish container events, or {@code null}
	 */
	public PgqueListenerContainer(String id, PgqueContainerOptions options, PgqueContainerParts parts,
			@Nullable ApplicationEventPublisher events) {
		this.id = id;
		this.options = options;
		this.parts = parts;
		this.events = new PgqueContainerEvents(this, events);
		String instanceId = (options.instanceId() != null) ? options.instanceId() : PgqueInstanceId.generate();
		this.workers = PgqueContainerWorkers.create(this, instanceId);
	}

	public String getId() {
		return this.id;
	}

	public String getQueue() {
		return this.parts.jdbc().queue();
	}

	public String getConsumer() {
		return this.parts.jdbc().consumer();
	}

	public PgqueContainerOptions getOptions() {
		return this.options;
	}

	public PgqueHandlerDispatcher getDispatcher() {
		return this.parts.dispatcher();
	}

	/**
	 * The error handler of listeners that name none of their own.
	 * @return the error handler
	 */
	public PgqueErrorHandler getErrorHandler() {
		return this.parts.errorHandler();
	}

	/**
	 * Whether this container holds its consumer's lease (as last checked); in cooperative
	 * mode, whether any of its members is in the consumer's group (membership is the
	 * right to work there); in keyed mode, whether any of its workers holds a slot.
	 * @return whether it is an active worker of its consumer
	 */
	public boolean hasLease() {
		return this.workers.isActive();
	}

	/**
	 * Whether this container runs cooperative members ({@code concurrency} above 1).
	 * @return whether it is cooperative
	 */
	public boolean isCooperative() {
		return this.workers instanceof PgqueCooperativeCrew;
	}

	/**
	 * The cooperative members of this container with what each is doing; empty for the
	 * single worker.
	 * @return the members, in worker order
	 */
	public List<PgqueContainerMember> getMembers() {
		return this.workers.members();
	}

	@Override
	public boolean isAutoStartup() {
		return this.options.autoStartup();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	public boolean isPaused() {
		return this.pause.isPaused();
	}

	/**
	 * What this container is doing now.
	 * @return the state
	 */
	public PgqueContainerState getState() {
		if (!this.running) {
			return this.failed ? PgqueContainerState.FAILED : PgqueContainerState.STOPPED;
		}
		if (this.pause.isPaused()) {
			return PgqueContainerState.PAUSED;
		}
		return (isCooperative() || hasLease()) ? PgqueContainerState.RUNNING : PgqueContainerState.STANDBY;
	}

	/**
	 * When a pause for a duration ends.
	 * @return the end, or {@code null} when not paused or paused until resumed
	 */
	public @Nullable Instant getPausedUntil() {
		return this.pause.until();
	}

	/**
	 * The last failure: a batch that failed as a whole, or what stopped the container.
	 * @return the failure, or {@code null} if none since the application started
	 */
	public @Nullable PgqueContainerFailure getLastFailure() {
		return this.events.lastFailure();
	}

	/**
	 * Subscribe the consumer if needed, listen for ticks and start the worker.
	 * @throws io.pgque.spring.PgqueException if the queue does not exist, or the consumer
	 * is not subscribed and auto-subscribe is off
	 */
	@Override
	public void start() {
		this.lock.lock();
		try {
			if (this.running) {
				return;
			}
			if (this.workers.subscribe(this.parts.jdbc(),
					this.options.autoCreateQueue() ? this.parts.queueCreator() : null, this.options.autoSubscribe())) {
				logger.info("Subscribed consumer '" + getConsumer() + "' to PgQue queue '" + getQueue() + "'");
			}
			this.failed = false;
			this.notificationRegistration = this.parts.notifications().register(getQueue(), this::wakeUp);
			this.running = true;
			// before the workers run, so that STARTED always comes before their events
			publish(Kind.STARTED, null);
			this.workers.start();
		}
		finally {
			this.lock.unlock();
		}
	}

	// a worker thread named after this container and, for one of several, its part
	Thread newThread(Runnable work, @Nullable String part) {
		Thread thread = this.parts.threadFactory().newThread(work);
		thread.setName("pgque-" + this.id + ((part != null) ? "-" + part : ""));
		return thread;
	}

	PgqueCooperativeGroup cooperativeGroup() {
		return new PgqueCooperativeGroup(this.parts.jdbc().dataSource(), getQueue(), getConsumer());
	}

	private List<PgqueContainerSignals> allSignals() {
		return this.workers.signals();
	}

	/**
	 * Stop: finish (and ack) the batch in hand within the shutdown timeout, cut any
	 * back-off sleep short, release the lease (in cooperative mode: every member finishes
	 * its batch and leaves the consumer's group). Blocks until done.
	 */
	@Override
	public void stop() {
		this.lock.lock();
		try {
			if (!this.running) {
				return;
			}
			allSignals().forEach(PgqueContainerSignals::requestStop);
		}
		finally {
			this.lock.unlock();
		}
		closeNotificationRegistration();
		this.workers.awaitStop();
	}

	// a worker ends; the last one ends the container
	void workerEnded() {
		if (this.workers.workerEnded()) {
			this.running = false;
			publish(Kind.STOPPED, null);
		}
	}

	// a member ended by a failure that stops the container: the others stop too
	void failedByWorker(Throwable failure) {
		markFailed();
		publish(Kind.FAILED, failure);
		allSignals().forEach(PgqueContainerSignals::requestStop);
	}

	/**
	 * Wait while paused.
	 * @param waiter the signals of the waiting worker
	 * @return whether it waited (the caller re-checks its state)
	 */
	boolean awaitUnpaused(PgqueContainerSignals waiter) {
		if (!this.pause.isPaused()) {
			return false;
		}
		Duration remaining = this.pause.remaining();
		if (remaining.isZero()) {
			resume();
		}
		else {
			waiter.await(remaining, false);
		}
		return true;
	}

	@Override
	public void stop(Runnable callback) {
		if (!this.running) {
			callback.run();
			return;
		}
		Thread stopper = this.parts.threadFactory().newThread(() -> {
			try {
				stop();
			}
			finally {
				callback.run();
			}
		});
		stopper.setName("pgque-stop-" + this.id);
		stopper.start();
	}

	@Override
	public int getPhase() {
		return PgqueListenerContainerRegistry.PHASE;
	}

	/**
	 * Stop taking new batches until {@link #resume()}; the batch in hand finishes. The
	 * lease is kept.
	 */
	public void pause() {
		pause(null);
	}

	/**
	 * Stop taking new batches for a while.
	 * @param duration how long, or {@code null} until {@link #resume()}
	 */
	public void pause(@Nullable Duration duration) {
		this.pause.begin(duration);
		allSignals().forEach(PgqueContainerSignals::changed);
		publish(Kind.PAUSED, null);
	}

	public void resume() {
		if (!this.pause.end()) {
			return;
		}
		allSignals().forEach(PgqueContainerSignals::wakeUp);
		publish(Kind.RESUMED, null);
	}

	/**
	 * Look for a batch now instead of waiting for the next poll; called when the queue
	 * gets a tick.
	 */
	public void wakeUp() {
		allSignals().forEach(PgqueContainerSignals::wakeUp);
	}

	// a worker's batch pipeline, assembled from this container's parts
	PgqueBatchProcessor createProcessor(PgqueConsumerJdbc jdbc, PgqueContainerSignals workerSignals,
			@Nullable PgqueLease workerLease) {
		return this.parts.processor(this.options, jdbc, workerSignals, workerLease);
	}

	private void closeNotificationRegistration() {
		PgqueNotificationListener.Registration registration = this.notificationRegistration;
		this.notificationRegistration = null;
		if (registration != null) {
			registration.close();
		}
	}

	PgqueContainerParts parts() {
		return this.parts;
	}

	PgqueConsumerJdbc jdbc() {
		return this.parts.jdbc();
	}

	// the worker ends by a failure
	void markFailed() {
		this.failed = true;
	}

	void publish(Kind kind, @Nullable Throwable failure) {
		this.events.publish(kind, failure);
	}

	@Override
	public String toString() {
		return "PgqueListenerContainer[" + this.id + " " + getQueue() + "/" + getConsumer() + "]";
	}

}
