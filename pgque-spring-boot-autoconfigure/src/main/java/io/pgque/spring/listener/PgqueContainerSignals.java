package io.pgque.spring.listener;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * The signalling state of one container's worker: wake-up, stop, the abandoned batch and
 * the back-off sleep. Every wait of the worker goes through here, so that a stop or a
 * tick cuts it short.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueContainerSignals {

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private boolean wakeUpPending;

	private volatile boolean stopRequested;

	// the worker whose batch stop() gave up; a worker started later is not affected
	private volatile @Nullable Thread abandonedWorker;

	/**
	 * Get ready for a new worker: not stopping, and look for a batch at once.
	 */
	void reset() {
		locked(() -> {
			this.stopRequested = false;
			this.wakeUpPending = true;
		});
	}

	/**
	 * Ask the worker to stop; cuts every wait short.
	 */
	void requestStop() {
		locked(() -> {
			this.stopRequested = true;
			this.changed.signalAll();
		});
	}

	boolean isStopRequested() {
		return this.stopRequested;
	}

	/**
	 * Look for a batch now; ends a {@link #await(Duration, boolean) wakeable} wait.
	 */
	void wakeUp() {
		locked(() -> {
			this.wakeUpPending = true;
			this.changed.signalAll();
		});
	}

	/**
	 * Wake any waiter to re-check its state (pause or resume).
	 */
	void changed() {
		locked(this.changed::signalAll);
	}

	void clearWakeUp() {
		locked(() -> this.wakeUpPending = false);
	}

	/**
	 * Wait, cut short by a stop, a state change or (if wakeable) a wake-up. An interrupt
	 * counts as a stop.
	 * @param duration how long at most
	 * @param wakeable whether a wake-up ends the wait
	 */
	void await(Duration duration, boolean wakeable) {
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

	/**
	 * Sleep for a back-off delay; cut short when the container stops.
	 * @param duration how long
	 * @return whether the full time passed
	 */
	boolean sleep(Duration duration) {
		await(duration, false);
		return !this.stopRequested;
	}

	/**
	 * Mark the batch of a worker as given up after the shutdown timeout; call before
	 * interrupting it.
	 * @param worker the worker
	 */
	void abandon(Thread worker) {
		this.abandonedWorker = worker;
	}

	/**
	 * Whether the calling worker's batch was given up at shutdown.
	 * @return whether the batch in hand is abandoned
	 */
	boolean isAbandoned() {
		return Thread.currentThread() == this.abandonedWorker;
	}

	// Every change a waiter checks happens under the lock, so no signal falls between a
	// waiter's check and its wait.
	private void locked(Runnable change) {
		this.lock.lock();
		try {
			change.run();
		}
		finally {
			this.lock.unlock();
		}
	}

}
