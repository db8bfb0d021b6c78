package io.pgque.spring.listener;

import java.util.List;

/**
 * The workers a container runs, one way or another: the single worker under the
 * consumer's lease ({@link PgqueSingleWorker}) or cooperative members
 * ({@link PgqueCooperativeCrew}). The container calls them under its start/stop lock and
 * stays the same whichever it has.
 *
 * @author pgque-spring-boot authors
 */
interface PgqueContainerWorkers {

	/**
	 * Start the worker threads; the container has published {@code STARTED}.
	 */
	void start();

	/**
	 * Wait for the workers, already asked to stop, to finish the batch in hand; a worker
	 * still in one at the shutdown timeout is abandoned (its batch rolled back).
	 */
	void awaitStop();

	/**
	 * The signals of every worker: stop requests, wake-ups and pauses reach them all.
	 * @return the signals, one per worker
	 */
	List<PgqueContainerSignals> signals();

	/**
	 * Whether these workers have the right to work on the consumer now: the single
	 * worker's lease, or any member in the group.
	 * @return whether they do
	 */
	boolean isActive();

	/**
	 * A worker thread ends.
	 * @return whether it was the last one
	 */
	boolean workerEnded();

	/**
	 * The members with what each is doing; empty for the single worker.
	 * @return the members, in worker order
	 */
	List<PgqueContainerMember> members();

}
