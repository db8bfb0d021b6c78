package io.pgque.spring.listener;

import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.pgque.spring.listener.PgqueListenerContainerEvent.Kind;
import io.pgque.spring.listener.ack.PgqueBatchProcessor;
import io.pgque.spring.listener.ack.PgqueBatchResult;
import io.pgque.spring.listener.ack.PgqueMdc;
import io.pgque.spring.listener.adapter.PgqueHandlerDispatcher;
import io.pgque.spring.listener.source.PgqueConsumerJdbc;
import io.pgque.spring.listener.source.PgqueLease;
import io.pgque.spring.listener.source.PgqueLeaseLostException;
import io.pgque.spring.listener.source.PgqueNotificationListener;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * The single worker of one (queue, consumer) in this application: holds the consumer's
 * lease, waits for ticks, and hands each batch to its {@link PgqueBatchProcessor}.
 * Created by a container factory and managed by the
 * {@link PgqueListenerContainerRegistry}.
 * <p>
 * This class is only the lifecycle and the loop; the lease, the SQL, dispatching,
 * transactions and error handling live in small collaborators.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueListenerContainer implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(PgqueListenerContainer.class);

	private final String id;

	private final PgqueConsumerJdbc jdbc;

	private final PgqueHandlerDispatcher dispatcher;

	private final PgqueContainerOptions options;

	private final PgqueLease lease;

	private final PgqueNotificationListener notifications;

	private final ThreadFactory threadFactory;

	private final @Nullable ApplicationEventPublisher events;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private @Nullable PgqueBatchProcessor processor;

	private Consumer<String> queueCreator;

	private boolean wakeUpPending;

	private volatile boolean running;

	private volatile boolean stopRequested;

	// the worker whose batch stop() gave up; a worker started later is not affected
	private volatile @Nullable Thread abandonedWorker;

	private volatile boolean paused;

	private volatile long pausedUntilNanos;

	private volatile boolean processing;

	private long lastVerifiedNanos;

	private @Nullable Thread worker;

	private @Nullable AutoCloseable notificationRegistration;

	/**
	 * Create a container.
	 * @param id the container id
	 * @param jdbc the consumer's SQL
	 * @param dispatcher the handlers
	 * @param options the options
	 * @param lease the consumer's lease
	 * @param notifications the shared LISTEN connection
	 * @param threadFactory creates the worker thread
	 * @param events where to publish container events, or {@code null}
	 */
	public PgqueListenerContainer(String id, PgqueConsumerJdbc jdbc, PgqueHandlerDispatcher dispatcher,
			PgqueContainerOptions options, PgqueLease lease, PgqueNotificationListener notifications,
			ThreadFactory threadFactory, @Nullable ApplicationEventPublisher events) {
		this.id = id;
		this.jdbc = jdbc;
		this.dispatcher = dispatcher;
		this.options = options;
		this.lease = lease;
		this.notifications = notifications;
		this.threadFactory = threadFactory;
		this.events = events;
		this.queueCreator = (queue) -> jdbc.createQueue();
	}

	/**
	 * Set what creates the queue when it is missing at start-up and
	 * {@link PgqueContainerOptions#autoCreateQueue()} is on; by default
	 * {@code pgque.create_queue} with the engine's defaults.
	 * @param queueCreator creates a queue by name
	 */
	public void setQueueCreator(Consumer<String> queueCreator) {
		this.queueCreator = queueCreator;
	}

	/**
	 * Set the batch processor; called once by the factory, which needs the container's
	 * sleeper to build it.
	 * @param processor the processor
	 */
	public void setProcessor(PgqueBatchProcessor processor) {
		this.processor = processor;
	}

	public String getId() {
		return this.id;
	}

	public String getQueue() {
		return this.jdbc.queue();
	}

	public String getConsumer() {
		return this.jdbc.consumer();
	}

	public PgqueContainerOptions getOptions() {
		return this.options;
	}

	public PgqueHandlerDispatcher getDispatcher() {
		return this.dispatcher;
	}

	/**
	 * Whether this container holds its consumer's lease (as last checked).
	 * @return whether it is the active worker of its consumer
	 */
	public boolean hasLease() {
		return this.lease.isAcquired();
	}

	/**
	 * Whether a batch is being processed right now.
	 * @return whether it is busy
	 */
	public boolean isProcessing() {
		return this.processing;
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
		return this.paused;
	}

	/**
	 * Subscribe the consumer if needed, listen for ticks and start the worker.
	 * @throws io.pgque.spring.core.PgqueException if the queue does not exist, or the
	 * consumer is not subscribed and auto-subscribe is off
	 */
	@Override
	public void start() {
		this.lock.lock();
		try {
			if (this.running) {
				return;
			}
			if (this.processor == null) {
				throw new IllegalStateException("No batch processor set for container " + this.id);
			}
			if (this.options.autoCreateQueue() && !this.jdbc.queueExists()) {
				this.queueCreator.accept(getQueue());
			}
			if (this.jdbc.ensureSubscribed(this.options.autoSubscribe())) {
				logger.info("Subscribed consumer '" + getConsumer() + "' to PgQue queue '" + getQueue() + "'");
			}
			this.stopRequested = false;
			this.wakeUpPending = true;
			this.notificationRegistration = this.notifications.register(getQueue(), this::wakeUp);
			Thread thread = this.threadFactory.newThread(this::run);
			thread.setName("pgque-" + this.id);
			this.worker = thread;
			this.running = true;
			// before the worker runs, so that STARTED always comes before its events
			publish(Kind.STARTED, null);
			thread.start();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Stop: finish (and ack) the batch in hand within the shutdown timeout, cut any
	 * back-off sleep short, release the lease. Blocks until done.
	 */
	@Override
	public void stop() {
		Thread thread;
		this.lock.lock();
		try {
			if (!this.running) {
				return;
			}
			this.stopRequested = true;
			this.changed.signalAll();
			thread = this.worker;
		}
		finally {
			this.lock.unlock();
		}
		closeNotificationRegistration();
		if (thread != null && thread != Thread.currentThread()) {
			join(thread, this.options.shutdownTimeout());
			if (thread.isAlive()) {
				logger.warn("Container " + this.id + " did not finish its batch within "
						+ this.options.shutdownTimeout() + "; interrupting it (the batch will be delivered again)");
				// before the interrupt: the processor must roll the batch back, not
				// nack the interrupted message and go on
				this.abandonedWorker = thread;
				thread.interrupt();
				join(thread, Duration.ofSeconds(5));
			}
		}
	}

	@Override
	public void stop(Runnable callback) {
		if (!this.running) {
			callback.run();
			return;
		}
		Thread stopper = this.threadFactory.newThread(() -> {
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
		this.lock.lock();
		try {
			this.pausedUntilNanos = (duration != null) ? System.nanoTime() + duration.toNanos() : Long.MAX_VALUE;
			this.paused = true;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
		publish(Kind.PAUSED, null);
	}

	public void resume() {
		this.lock.lock();
		try {
			if (!this.paused) {
				return;
			}
			this.paused = false;
			this.wakeUpPending = true;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
		publish(Kind.RESUMED, null);
	}

	/**
	 * Look for a batch now instead of waiting for the next poll; called when the queue
	 * gets a tick.
	 */
	public void wakeUp() {
		this.lock.lock();
		try {
			this.wakeUpPending = true;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	private void run() {
		boolean idle = false;
		try {
			while (!this.stopRequested) {
				if (!this.lease.isAcquired()) {
					if (!acquireLease()) {
						await(this.options.leaseRetryInterval(), false);
						continue;
					}
					publish(Kind.LEASE_ACQUIRED, null);
					idle = false;
				}
				if (awaitUnpaused()) {
					continue;
				}
				// every batch is opened only if the server says the lease session holds
				// the lock; the lease connection itself is checked once per retry
				// interval too
				if (verifyDue() && !this.lease.verify()) {
					leaseLost();
					continue;
				}
				clearWakeUp();
				PgqueBatchResult result;
				try {
					this.processing = true;
					result = processor().processNextBatch();
				}
				catch (PgqueLeaseLostException ex) {
					leaseLost();
					continue;
				}
				catch (RuntimeException ex) {
					if (isBatchAbandoned()) {
						// stop() already warned; whatever the interrupt broke, the batch
						// rolled back and will be delivered again
						logger.debug("Batch of " + getQueue() + "/" + getConsumer() + " abandoned at shutdown", ex);
						publish(Kind.FAILED, ex);
						break;
					}
					logger.warn("Batch of " + getQueue() + "/" + getConsumer() + " failed; it will be delivered again"
							+ " in " + this.options.failureDelay(), ex);
					publish(Kind.FAILED, ex);
					await(this.options.failureDelay(), false);
					continue;
				}
				finally {
					this.processing = false;
					PgqueMdc.clear();
				}
				if (result.hadBatch()) {
					idle = false;
					continue;
				}
				if (!idle) {
					idle = true;
					publish(Kind.IDLE, null);
				}
				await(this.options.pollInterval(), true);
			}
		}
		catch (Throwable ex) {
			logger.error("Container " + this.id + " stopped after an unexpected failure", ex);
			publish(Kind.FAILED, ex);
			throw ex;
		}
		finally {
			this.lease.release();
			this.running = false;
			publish(Kind.STOPPED, null);
		}
	}

	private boolean verifyDue() {
		long now = System.nanoTime();
		if (now - this.lastVerifiedNanos < this.options.leaseRetryInterval().toNanos()) {
			return false;
		}
		this.lastVerifiedNanos = now;
		return true;
	}

	private void leaseLost() {
		this.lease.release();
		logger.warn("Container " + this.id + " lost its lease; standing by");
		publish(Kind.LEASE_LOST, null);
		await(this.options.leaseRetryInterval().multipliedBy(2), false);
	}

	private PgqueBatchProcessor processor() {
		PgqueBatchProcessor current = this.processor;
		if (current == null) {
			throw new IllegalStateException("No batch processor");
		}
		return current;
	}

	private boolean acquireLease() {
		try {
			return this.lease.tryAcquire();
		}
		catch (Exception ex) {
			logger.warn("Container " + this.id + " could not try its lease: " + ex);
			return false;
		}
	}

	/**
	 * Wait while paused.
	 * @return whether we waited (the caller re-checks its state)
	 */
	private boolean awaitUnpaused() {
		if (!this.paused) {
			return false;
		}
		long remaining = this.pausedUntilNanos - System.nanoTime();
		if (remaining <= 0) {
			resume();
			return true;
		}
		await(Duration.ofNanos(Math.min(remaining, Duration.ofSeconds(1).toNanos())), false);
		return true;
	}

	/**
	 * Sleep for a back-off delay; cut short when the container stops.
	 * @param duration how long
	 * @return whether the full time passed
	 */
	public boolean sleep(Duration duration) {
		await(duration, false);
		return !this.stopRequested;
	}

	/**
	 * Whether the calling worker's batch was given up by {@link #stop()} after the
	 * shutdown timeout; for the batch processor, which then rolls the batch back.
	 * @return whether the batch in hand is abandoned
	 */
	public boolean isBatchAbandoned() {
		return Thread.currentThread() == this.abandonedWorker;
	}

	private void await(Duration duration, boolean wakeable) {
		long nanos = duration.toNanos();
		this.lock.lock();
		try {
			while (nanos > 0 && !this.stopRequested && !(wakeable && this.wakeUpPending)) {
				nanos = this.changed.awaitNanos(nanos);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.stopRequested = true;
		}
		finally {
			this.lock.unlock();
		}
	}

	private void clearWakeUp() {
		this.lock.lock();
		try {
			this.wakeUpPending = false;
		}
		finally {
			this.lock.unlock();
		}
	}

	private void closeNotificationRegistration() {
		AutoCloseable registration = this.notificationRegistration;
		this.notificationRegistration = null;
		if (registration != null) {
			try {
				registration.close();
			}
			catch (Exception ex) {
				logger.debug("Could not unregister from notifications", ex);
			}
		}
	}

	private static void join(Thread thread, Duration timeout) {
		try {
			thread.join(TimeUnit.NANOSECONDS.toMillis(timeout.toNanos()) + 1);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void publish(Kind kind, @Nullable Throwable failure) {
		if (this.events != null) {
			try {
				this.events.publishEvent(new PgqueListenerContainerEvent(this, kind, failure));
			}
			catch (RuntimeException ex) {
				logger.debug("Could not publish " + kind + " event of container " + this.id, ex);
			}
		}
	}

	@Override
	public String toString() {
		return "PgqueListenerContainer[" + this.id + " " + getQueue() + "/" + getConsumer() + "]";
	}

}
