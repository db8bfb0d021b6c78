package io.pgque.spring.ticker;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The embedded ticker's single thread: it competes for leadership while it is not the
 * leader and, while it is, runs the tick, retry and maintenance tasks when each is due.
 * It sleeps until the next task is due (no polling in between) and survives every
 * failure: a task that fails is retried with back-off, a broken connection costs the
 * leadership, which is sought again with back-off.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueTickerLoop implements Runnable {

	private static final Log logger = LogFactory.getLog(PgqueTicker.class);

	private final PgqueTickerLeadership leadership;

	private final PgqueTickerOptions options;

	private final PgqueTickerOutage connectionOutage;

	private final Task tickTask;

	private final List<Task> tasks;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition wakeUp = this.lock.newCondition();

	private volatile boolean running = true;

	private volatile boolean leader;

	private volatile @Nullable Instant lastTick;

	private long nextLeadershipAttemptNanos = System.nanoTime();

	PgqueTickerLoop(PgqueTickerLeadership leadership, PgqueTickerStatements statements, PgqueTickerOptions options) {
		this.leadership = leadership;
		this.options = options;
		this.connectionOutage = new PgqueTickerOutage(logger, "the database connection", options.maxBackoff());
		this.tickTask = new Task("ticking", options.tickPeriod(), options.maxBackoff(), (connection) -> {
			statements.tick(connection);
			this.lastTick = Instant.now();
			return Long.MAX_VALUE;
		});
		this.tasks = List.of(this.tickTask,
				new Task("moving retries", options.retryPeriod(), options.maxBackoff(), statements::moveRetries),
				new Task("maintenance", options.maintenancePeriod(), options.maxBackoff(), (connection) -> {
					statements.maintain(connection);
					return Long.MAX_VALUE;
				}));
	}

	boolean isLeader() {
		return this.leader;
	}

	@Nullable Instant lastTick() {
		return this.lastTick;
	}

	/**
	 * Ask the loop to end; it gives up leadership before its thread ends.
	 */
	void stop() {
		this.running = false;
		this.lock.lock();
		try {
			this.wakeUp.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public void run() {
		try {
			while (this.running) {
				if (!this.leadership.isLeader() && System.nanoTime() - this.nextLeadershipAttemptNanos >= 0) {
					attemptLeadership();
				}
				if (this.leadership.isLeader()) {
					runDueTasks();
				}
				sleep(nanosUntilNextWork());
			}
		}
		finally {
			boolean wasLeader = this.leadership.isLeader();
			this.leader = false;
			this.leadership.release();
			if (wasLeader && logger.isInfoEnabled()) {
				logger.info("PgQue ticker stopped and gave up leadership");
			}
		}
	}

	private void attemptLeadership() {
		long now = System.nanoTime();
		try {
			boolean acquired = this.leadership.tryAcquire();
			this.connectionOutage.succeeded(System.nanoTime());
			if (acquired) {
				becameLeader();
			}
			else {
				this.nextLeadershipAttemptNanos = System.nanoTime() + this.options.takeoverInterval().toNanos();
			}
		}
		catch (SQLException | RuntimeException ex) {
			this.nextLeadershipAttemptNanos = now + this.connectionOutage.failed(ex, now);
		}
	}

	private void becameLeader() {
		this.leader = true;
		long now = System.nanoTime();
		for (Task task : this.tasks) {
			task.nextNanos = now;
		}
		if (logger.isInfoEnabled()) {
			logger.info("This instance is now the PgQue ticker leader: ticking every "
					+ this.options.tickPeriod().toMillis() + " ms, moving retries every "
					+ this.options.retryPeriod().toMillis() + " ms, maintenance every "
					+ this.options.maintenancePeriod().toSeconds() + " s");
		}
	}

	private void runDueTasks() {
		for (Task task : this.tasks) {
			if (!this.running || !this.leadership.isLeader()) {
				return;
			}
			if (System.nanoTime() - task.nextNanos >= 0) {
				runTask(task);
			}
		}
	}

	private void runTask(Task task) {
		try {
			long dueIn = task.action.run(this.leadership.connection());
			long now = System.nanoTime();
			task.outage.succeeded(now);
			// fixed rate; after a stall run once at once rather than catch up every
			// period; earlier when the task knows its next work falls due sooner
			long next = task.nextNanos + task.periodNanos;
			if (now - next > 0) {
				next = now;
			}
			if (dueIn < next - now) {
				next = now + dueIn;
			}
			task.nextNanos = next;
		}
		catch (SQLException | RuntimeException ex) {
			long now = System.nanoTime();
			if (!this.leadership.isConnectionAlive()) {
				lostConnection(ex, now);
				return;
			}
			task.nextNanos = now + Math.max(task.periodNanos, task.outage.failed(ex, now));
		}
	}

	private void lostConnection(Exception ex, long now) {
		this.leader = false;
		this.leadership.release();
		this.nextLeadershipAttemptNanos = now + this.connectionOutage.failed(ex, now);
		if (logger.isInfoEnabled()) {
			logger.info("PgQue ticker lost its leader connection and gave up leadership");
		}
	}

	private long nanosUntilNextWork() {
		long next = this.nextLeadershipAttemptNanos;
		if (this.leadership.isLeader()) {
			next = this.tickTask.nextNanos;
			for (Task task : this.tasks) {
				if (task.nextNanos - next < 0) {
					next = task.nextNanos;
				}
			}
		}
		return next - System.nanoTime();
	}

	private void sleep(long nanos) {
		if (nanos <= 0) {
			return;
		}
		this.lock.lock();
		try {
			if (this.running) {
				this.wakeUp.awaitNanos(nanos);
			}
		}
		catch (InterruptedException ex) {
			// an interrupt means stop; a pending interrupt would break the socket on the
			// way out, so it is not restored
			this.running = false;
		}
		finally {
			this.lock.unlock();
		}
	}

	@FunctionalInterface
	private interface TaskAction {

		/**
		 * Run once.
		 * @param connection the leader's connection
		 * @return nanoseconds until the task has work again if that is sooner than its
		 * period (0: at once), or {@link Long#MAX_VALUE} to keep to the period
		 * @throws SQLException on failure
		 */
		long run(Connection connection) throws SQLException;

	}

	private static final class Task {

		private final long periodNanos;

		private final TaskAction action;

		private final PgqueTickerOutage outage;

		private long nextNanos;

		Task(String name, Duration period, Duration maxBackoff, TaskAction action) {
			this.periodNanos = period.toNanos();
			this.action = action;
			this.outage = new PgqueTickerOutage(logger, name, maxBackoff);
		}

	}

}
