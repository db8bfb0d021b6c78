package io.pgque.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * A container's worker thread with the signals that reach it and how the log names it.
 *
 * @param name how the log names the worker (the container, or one of its members)
 * @param thread the thread
 * @param signals its signals
 * @author pgque-spring-boot authors
 */
record PgqueWorkerThread(String name, Thread thread, PgqueContainerSignals signals) {

	private static final Log logger = LogFactory.getLog(PgqueWorkerThread.class);

	/**
	 * Wait for workers asked to stop to finish their batch; any still in one when the
	 * timeout ends is abandoned (its processor rolls the batch back instead of acking)
	 * and interrupted.
	 * @param workers the workers, already asked to stop
	 * @param timeout how long they may take together
	 * @param afterwards what becomes of an abandoned batch, for the log
	 */
	static void awaitOrAbandon(List<PgqueWorkerThread> workers, Duration timeout, String afterwards) {
		long deadline = System.nanoTime() + timeout.toNanos();
		for (PgqueWorkerThread worker : workers) {
			if (worker.thread() != Thread.currentThread()) {
				join(worker.thread(), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
			}
		}
		for (PgqueWorkerThread worker : workers) {
			Thread thread = worker.thread();
			if (thread.isAlive() && thread != Thread.currentThread()) {
				logger.warn(worker.name() + " did not finish its batch within " + timeout + "; interrupting it ("
						+ afterwards + ")");
				// before the interrupt: the processor must roll the batch back, not nack
				// the
				// interrupted message and go on
				worker.signals().abandon(thread);
				thread.interrupt();
				join(thread, Duration.ofSeconds(5));
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

}
