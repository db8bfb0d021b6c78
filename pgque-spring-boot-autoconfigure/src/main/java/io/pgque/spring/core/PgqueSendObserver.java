package io.pgque.spring.core;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Watches the sends of a {@link PgqueTemplate}: metrics, observations and tracing hook in
 * here without the template knowing about them. One {@link #start} per
 * {@code send}/{@code sendBatch} call, on the calling thread, before any SQL runs.
 *
 * @author pgque-spring-boot authors
 */
@FunctionalInterface
public interface PgqueSendObserver {

	/**
	 * Watches nothing.
	 */
	PgqueSendObserver NONE = (queue, type, count) -> Send.NONE;

	/**
	 * A send is about to run.
	 * @param queue the queue
	 * @param type the event type; {@code mixed} for a batch of several types
	 * @param count how many events are sent
	 * @return the send in progress; exactly one of its {@link Send#sent} or
	 * {@link Send#failed} is called
	 */
	Send start(String queue, String type, int count);

	/**
	 * Watch with several observers, in order; the first trace context any of them gives
	 * is the one stored.
	 * @param observers the observers
	 * @return one observer calling them all
	 */
	static PgqueSendObserver of(List<PgqueSendObserver> observers) {
		if (observers.isEmpty()) {
			return NONE;
		}
		if (observers.size() == 1) {
			return observers.get(0);
		}
		List<PgqueSendObserver> all = List.copyOf(observers);
		return (queue, type, count) -> {
			List<Send> sends = new ArrayList<>(all.size());
			for (PgqueSendObserver observer : all) {
				sends.add(observer.start(queue, type, count));
			}
			return new Send() {

				@Override
				public @Nullable String traceContext() {
					for (Send send : sends) {
						String context = send.traceContext();
						if (context != null) {
							return context;
						}
					}
					return null;
				}

				@Override
				public void sent(List<Long> eventIds) {
					// in reverse, like closing nested scopes
					for (int i = sends.size() - 1; i >= 0; i--) {
						sends.get(i).sent(eventIds);
					}
				}

				@Override
				public void failed(Throwable failure) {
					for (int i = sends.size() - 1; i >= 0; i--) {
						sends.get(i).failed(failure);
					}
				}

			};
		};
	}

	/**
	 * One send in progress.
	 */
	interface Send {

		/**
		 * Does nothing.
		 */
		Send NONE = new Send() {
		};

		/**
		 * The trace context to store with the events, in the {@code ev_extra4} format of
		 * docs/operations.md.
		 * @return the context, or {@code null} to store none
		 */
		default @Nullable String traceContext() {
			return null;
		}

		/**
		 * The events were sent (not yet committed when the caller's transaction is open).
		 * @param eventIds their ids
		 */
		default void sent(List<Long> eventIds) {
		}

		/**
		 * The send failed.
		 * @param failure what it threw
		 */
		default void failed(Throwable failure) {
		}

	}

}
