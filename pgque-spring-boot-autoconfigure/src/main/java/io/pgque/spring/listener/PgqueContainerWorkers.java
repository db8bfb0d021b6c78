package io.pgque.spring.listener;

import java.util.List;
import java.util.function.Consumer;

import io.pgque.spring.listener.source.PgqueConsumerJdbc;
import io.pgque.spring.listener.source.PgqueKeySlots;
import org.jspecify.annotations.Nullable;

/**
 * The workers a container runs, one way or another: the single worker under the
 * consumer's lease ({@link PgqueSingleWorker}), cooperative members
 * ({@link PgqueCooperativeCrew}) or keyed workers sharing partition slots
 * ({@link PgqueKeyedCrew}). The container calls them under its start/stop lock and stays
 * the same whichever it has.
 *
 * @author pgque-spring-boot authors
 */
interface PgqueContainerWorkers {

	/**
	 * The workers a container's options ask for.
	 * @param container the container, its options and parts set
	 * @param instanceId the prefix of the names of several workers
	 * @return the workers
	 */
	static PgqueContainerWorkers create(PgqueListenerContainer container, String instanceId) {
		PgqueContainerOptions options = container.getOptions();
		PgqueContainerParts parts = container.parts();
		if (options.ordering() == PgqueOrdering.KEY) {
			return new PgqueKeyedCrew(container, new PgqueKeySlots(parts.jdbc().dataSource(), parts.jdbc().queue(),
					parts.jdbc().consumer(), options.keySlots()), instanceId);
		}
		return (options.concurrency() > 1)
				? new PgqueCooperativeCrew(container, container.cooperativeGroup(), instanceId, parts.lease())
				: new PgqueSingleWorker(container, parts.lease());
	}

	/**
	 * Make sure what the workers read is subscribed, before they start: by default the
	 * consumer itself.
	 * @param jdbc the consumer's SQL
	 * @param queueCreator creates a missing queue, or {@code null} to fail
	 * @param subscribeWhenMissing whether to subscribe what is missing
	 * @return whether this call subscribed anything
	 */
	default boolean subscribe(PgqueConsumerJdbc jdbc, @Nullable Consumer<String> queueCreator,
			boolean subscribeWhenMissing) {
		return jdbc.ensureSubscribed(queueCreator, subscribeWhenMissing);
	}

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
