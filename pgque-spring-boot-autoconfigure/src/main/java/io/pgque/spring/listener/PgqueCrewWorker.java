package io.pgque.spring.listener;

import java.util.List;

/**
 * A worker of a crew (a cooperative member or a keyed worker), as
 * {@link PgqueCrewThreads} starts, stops and shows it.
 *
 * @author pgque-spring-boot authors
 */
interface PgqueCrewWorker extends Runnable {

	/**
	 * Its name, {@code <instance-id>-<n>}.
	 * @return the name
	 */
	String name();

	/**
	 * The signals that reach it.
	 * @return its signals
	 */
	PgqueContainerSignals signals();

	/**
	 * Whether its thread is in its loop.
	 * @return whether it runs
	 */
	boolean isRunning();

	/**
	 * The batch it is processing.
	 * @return its id, or {@code -1}
	 */
	long batchInHand();

	/**
	 * What it is doing while it runs outside a batch ({@code idle}, {@code joining},
	 * {@code standby}).
	 * @return the state
	 */
	String restingState();

	/**
	 * The partition slots it holds.
	 * @return the slots, ascending; empty for a cooperative member
	 */
	default List<Integer> heldSlots() {
		return List.of();
	}

	/**
	 * How the registry, health and the endpoint show it.
	 * @return the view
	 */
	default PgqueContainerMember view() {
		long batch = batchInHand();
		String state = !isRunning() ? "stopped" : (batch >= 0) ? "processing" : restingState();
		return new PgqueContainerMember(name(), state, (batch >= 0) ? batch : null, heldSlots());
	}

}
