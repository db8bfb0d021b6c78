package io.pgque.spring.listener;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import io.pgque.spring.listener.PgqueListenerContainerEvent.Kind;
import io.pgque.spring.listener.pipeline.PgqueBatchContext;
import io.pgque.spring.listener.pipeline.PgqueBatchProcessor;
import io.pgque.spring.listener.pipeline.PgqueBatchProcessors;
import io.pgque.spring.listener.adapter.PgqueHandlerDispatcher;
import io.pgque.spring.listener.error.PgqueErrorHandler;
import io.pgque.spring.listener.source.PgqueConsumerJdbc;
import io.pgque.spring.listener.source.PgqueCooperativeGroup;
import io.pgque.spring.listener.source.PgqueLease;
import io.pgque.spring.listener.source.PgqueMemberHeartbeat;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * The worker of one (queue, consumer) in this application: holds the consumer's lease,
 * waits for ticks, and hands each batch to its {@link PgqueBatchProcessor}. Created by a
 * container factory and managed by the {@link PgqueListenerContainerRegistry}.
 * <p>
 * With a {@linkplain PgqueContainerOptions#concurrency() concurrency} above 1 it runs
 * that many workers instead, each a cooperative member (subconsumer) of the consumer
 * named {@code <instance-id>-<n>}, without a lease: the engine hands consecutive batches
 * to the members of every instance (see {@link PgqueCooperativeWorker}), and a
 * {@link PgqueMemberKeeper} heartbeats them.
 * <p>
 * This class is only the lifecycle; the loop is {@link PgqueContainerWorker}'s, and the
 * lease, the SQL, dispatching, transactions and error handling live in small
 * collaborators, which the container assembles into its batch processor when it starts,
 * from the {@link PgqueContainerParts} it was created with. Waits, wake-ups and stop
 * requests go through {@link PgqueContainerSignals}.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueListenerContainer implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(PgqueListenerContainer.class);

	private final String id;

	private final PgqueContainerOptions options;

	private final PgqueContainerParts parts;

	private final PgqueLease lease;

	private final @Nullable ApplicationEventPublisher events;

	private final PgqueContainerSignals signals = new PgqueContainerSignals();

	// guards start and stop
	private final ReentrantLock lock = new ReentrantLock();

	private volatile boolean running;

	private volatile boolean paused;

	private volatile long pausedUntilNanos;

	// set when the worker ended by a failure; a start clears it
	private volatile boolean failed;

	private volatile @Nullable PgqueContainerFailure lastFailure;

	private @Nullable Thread worker;

	// cooperative mode
	private final String instanceId;

	private volatile List<PgqueCooperativeWorker> members = List.of();

	private final List<Thread> memberThreads = new ArrayList<>();

	private @Nullable PgqueMemberKeeper keeper;

	private final AtomicInteger liveMembers = new AtomicInteger();

	private @Nullable AutoCloseable notificationRegistration;

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
		this.lease = parts.lease();
		this.events = events;
		String configured = options.instanceId();
		this.instanceId = (configured != null) ? configured : generatedInstanceId();
	}

	// unique per container: the host and process say where it runs, the random part
	// keeps two contexts of one process apart
	private static String generatedInstanceId() {
		String host;
		try {
			host = InetAddress.getLocalHost().getHostName();
		}
		catch (Exception ex) {
			host = "host";
		}
		String id = host + "-" + ManagementFactory.getRuntimeMXBean().getPid() + "-"
				+ HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
		return id.replaceAll("[^A-Za-z0-9_-]", "-");
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
	 * right to work there).
	 * @return whether it is an active worker of its consumer
	 */
	public boolean hasLease() {
		if (isCooperative()) {
			return this.members.stream().anyMatch(PgqueCooperativeWorker::isJoined);
		}
		return this.lease.isAcquired();
	}

	/**
	 * Whether this container runs cooperative members ({@code concurrency} above 1).
	 * @return whether it is cooperative
	 */
	public boolean isCooperative() {
		return this.options.concurrency() > 1;
	}

	/**
	 * The cooperative members of this container with what each is doing; empty for the
	 * single worker.
	 * @return the members, in worker order
	 */
	public List<PgqueContainerMember> getMembers() {
		List<PgqueContainerMember> views = new ArrayList<>();
		for (PgqueCooperativeWorker member : this.members) {
			long batch = member.batchInHand();
			String state = !member.isRunning() ? "stopped"
					: (batch >= 0) ? "processing" : member.isJoined() ? "idle" : "joining";
			views.add(new PgqueContainerMember(member.member(), state, (batch >= 0) ? batch : null));
		}
		return views;
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
	 * What this container is doing now.
	 * @return the state
	 */
	public PgqueContainerState getState() {
		if (!this.running) {
			return this.failed ? PgqueContainerState.FAILED : PgqueContainerState.STOPPED;
		}
		if (this.paused) {
			return PgqueContainerState.PAUSED;
		}
		return (isCooperative() || hasLease()) ? PgqueContainerState.RUNNING : PgqueContainerState.STANDBY;
	}

	/**
	 * When a pause for a duration ends.
	 * @return the end, or {@code null} when not paused or paused until resumed
	 */
	public @Nullable Instant getPausedUntil() {
		long until = this.pausedUntilNanos;
		if (!this.paused || until == Long.MAX_VALUE) {
			return null;
		}
		return Instant.now().plusNanos(until - System.nanoTime());
	}

	/**
	 * The last failure: a batch that failed as a whole, or what stopped the container.
	 * @return the failure, or {@code null} if none since the application started
	 */
	public @Nullable PgqueContainerFailure getLastFailure() {
		return this.lastFailure;
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
			if (this.parts.jdbc()
				.ensureSubscribed(this.options.autoCreateQueue() ? this.parts.queueCreator() : null,
						this.options.autoSubscribe())) {
				logger.info("Subscribed consumer '" + getConsumer() + "' to PgQue queue '" + getQueue() + "'");
			}
			this.failed = false;
			if (isCooperative()) {
				startMembers();
				return;
			}
			PgqueContainerWorker work = new PgqueContainerWorker(this,
					createProcessor(this.parts.jdbc(), this.signals, this.lease));
			this.signals.reset();
			this.notificationRegistration = this.parts.notifications().register(getQueue(), this::wakeUp);
			Thread thread = this.parts.threadFactory().newThread(work);
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

	// under the lock of start()
	private void startMembers() {
		PgqueCooperativeGroup group = cooperativeGroup();
		List<PgqueCooperativeWorker> workers = new ArrayList<>();
		for (int i = 1; i <= this.options.concurrency(); i++) {
			String member = this.instanceId + "-" + i;
			PgqueContainerSignals memberSignals = new PgqueContainerSignals();
			memberSignals.reset();
			PgqueConsumerJdbc jdbc = this.parts.jdbc().member(member, this.options.deadInterval());
			workers.add(new PgqueCooperativeWorker(this, createProcessor(jdbc, memberSignals, null), group, member,
					memberSignals));
		}
		this.members = List.copyOf(workers);
		PgqueMemberKeeper memberKeeper = new PgqueMemberKeeper(group, this::memberHeartbeat, workers, this.options);
		this.keeper = memberKeeper;
		this.liveMembers.set(workers.size());
		this.memberThreads.clear();
		this.notificationRegistration = this.parts.notifications().register(getQueue(), this::wakeUp);
		this.running = true;
		publish(Kind.STARTED, null);
		for (PgqueCooperativeWorker member : workers) {
			Thread thread = this.parts.threadFactory().newThread(member);
			thread.setName("pgque-" + this.id + "-" + member.member());
			this.memberThreads.add(thread);
			thread.start();
		}
		Thread heartbeat = this.parts.threadFactory().newThread(memberKeeper);
		heartbeat.setName("pgque-" + this.id + "-heartbeat");
		heartbeat.setDaemon(true);
		heartbeat.start();
	}

	private PgqueMemberHeartbeat memberHeartbeat() {
		try {
			return this.lease.memberHeartbeat();
		}
		catch (SQLException ex) {
			throw new IllegalStateException("No member heartbeat: " + ex.getMessage(), ex);
		}
	}

	PgqueCooperativeGroup cooperativeGroup() {
		return new PgqueCooperativeGroup(this.parts.jdbc().dataSource(), getQueue(), getConsumer());
	}

	private List<PgqueContainerSignals> allSignals() {
		if (!isCooperative()) {
			return List.of(this.signals);
		}
		return this.members.stream().map(PgqueCooperativeWorker::signals).toList();
	}

	/**
	 * Stop: finish (and ack) the batch in hand within the shutdown timeout, cut any
	 * back-off sleep short, release the lease (in cooperative mode: every member finishes
	 * its batch and leaves the consumer's group). Blocks until done.
	 */
	@Override
	public void stop() {
		Thread thread;
		this.lock.lock();
		try {
			if (!this.running) {
				return;
			}
			allSignals().forEach(PgqueContainerSignals::requestStop);
			thread = this.worker;
		}
		finally {
			this.lock.unlock();
		}
		closeNotificationRegistration();
		if (isCooperative()) {
			stopMembers();
			return;
		}
		if (thread != null && thread != Thread.currentThread()) {
			join(thread, this.options.shutdownTimeout());
			if (thread.isAlive()) {
				logger.warn("Container " + this.id + " did not finish its batch within "
						+ this.options.shutdownTimeout() + "; interrupting it (the batch will be delivered again)");
				// before the interrupt: the processor must roll the batch back, not
				// nack the interrupted message and go on
				this.signals.abandon(thread);
				thread.interrupt();
				join(thread, Duration.ofSeconds(5));
			}
		}
	}

	private void stopMembers() {
		long deadline = System.nanoTime() + this.options.shutdownTimeout().toNanos();
		List<PgqueCooperativeWorker> workers = this.members;
		List<Thread> threads = List.copyOf(this.memberThreads);
		for (Thread thread : threads) {
			if (thread != Thread.currentThread()) {
				join(thread, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
			}
		}
		for (int i = 0; i < threads.size(); i++) {
			Thread thread = threads.get(i);
			if (thread.isAlive() && thread != Thread.currentThread()) {
				logger.warn("Member '" + workers.get(i).member() + "' of container " + this.id
						+ " did not finish its batch within " + this.options.shutdownTimeout()
						+ "; interrupting it (the batch is handed back to the group)");
				workers.get(i).signals().abandon(thread);
				thread.interrupt();
				join(thread, Duration.ofSeconds(5));
			}
		}
	}

	// a member ends; the last one ends the container
	void workerEnded() {
		if (this.liveMembers.decrementAndGet() == 0) {
			PgqueMemberKeeper memberKeeper = this.keeper;
			if (memberKeeper != null) {
				memberKeeper.stop();
			}
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
		if (!this.paused) {
			return false;
		}
		long remaining = this.pausedUntilNanos - System.nanoTime();
		if (remaining <= 0) {
			resume();
			return true;
		}
		waiter.await(Duration.ofNanos(Math.min(remaining, Duration.ofSeconds(1).toNanos())), false);
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
		this.pausedUntilNanos = (duration != null) ? System.nanoTime() + duration.toNanos() : Long.MAX_VALUE;
		this.paused = true;
		allSignals().forEach(PgqueContainerSignals::changed);
		publish(Kind.PAUSED, null);
	}

	public void resume() {
		this.lock.lock();
		try {
			if (!this.paused) {
				return;
			}
			this.paused = false;
		}
		finally {
			this.lock.unlock();
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

	private PgqueBatchProcessor createProcessor(PgqueConsumerJdbc jdbc, PgqueContainerSignals workerSignals,
			@Nullable PgqueLease workerLease) {
		PgqueBatchContext context = new PgqueBatchContext(jdbc, this.parts.dispatcher(), this.options.maxBatchSize(),
				this.options.retry(), this.options.unknownTypePolicy(), this.parts.errorHandler(), workerSignals::sleep,
				workerSignals::isAbandoned, this.parts.transactions(), workerLease, this.parts.observer());
		return PgqueBatchProcessors.create(this.parts.transactionMode(), context);
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

	PgqueContainerSignals signals() {
		return this.signals;
	}

	PgqueLease lease() {
		return this.lease;
	}

	// the worker ends
	void stopped() {
		this.running = false;
	}

	// the worker ends by a failure
	void markFailed() {
		this.failed = true;
	}

	void publish(Kind kind, @Nullable Throwable failure) {
		if (failure != null) {
			this.lastFailure = new PgqueContainerFailure(Instant.now(), failure);
		}
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
