package io.pgque.spring.listener;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;

/**
 * Published by a {@link PgqueListenerContainer} when its state changes. Listen with
 * {@code @EventListener} and switch on {@link #getKind()}.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueListenerContainerEvent extends ApplicationEvent {

	private final Kind kind;

	private final @Nullable Throwable failure;

	public PgqueListenerContainerEvent(PgqueListenerContainer source, Kind kind, @Nullable Throwable failure) {
		super(source);
		this.kind = kind;
		this.failure = failure;
	}

	public PgqueListenerContainer getContainer() {
		return (PgqueListenerContainer) getSource();
	}

	public Kind getKind() {
		return this.kind;
	}

	/**
	 * What went wrong, for {@link Kind#FAILED}.
	 * @return the failure, or {@code null}
	 */
	public @Nullable Throwable getFailure() {
		return this.failure;
	}

	@Override
	public String toString() {
		return "PgqueListenerContainerEvent[" + getContainer().getId() + " " + this.kind
				+ ((this.failure != null) ? " " + this.failure : "") + "]";
	}

	/**
	 * What happened.
	 */
	public enum Kind {

		/** The container started (it may still be waiting for its lease). */
		STARTED,

		/** The container took the lease of its consumer and starts working. */
		LEASE_ACQUIRED,

		/** The container lost its lease (e.g. its connection dropped) and stands by. */
		LEASE_LOST,

		/** The container found no new batch after working; it waits for a tick. */
		IDLE,

		/** The container was paused. */
		PAUSED,

		/** The container was resumed. */
		RESUMED,

		/** A batch failed as a whole and will be delivered again. */
		FAILED,

		/** The container stopped and released its lease. */
		STOPPED,

		/**
		 * A cooperative worker's batch was taken over by another worker before its ack
		 * (the worker was silent for longer than the dead interval); its work rolled
		 * back.
		 */
		BATCH_TAKEN_OVER

	}

}
