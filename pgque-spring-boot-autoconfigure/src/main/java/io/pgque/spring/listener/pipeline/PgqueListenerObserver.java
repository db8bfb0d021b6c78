package io.pgque.spring.listener.pipeline;

import java.util.List;
import java.util.function.Supplier;

import io.pgque.spring.core.PgqueMessage;
import org.jspecify.annotations.Nullable;

import org.springframework.util.function.SingletonSupplier;

/**
 * Watches what a listener container's batch processor does: metrics and observations hook
 * in here, so the processors carry no instrumentation of their own. Called on the
 * container's worker thread. Declare beans of this type to have the auto-configured
 * container factory apply them.
 *
 * @author pgque-spring-boot authors
 */
public interface PgqueListenerObserver {

	/**
	 * Watches nothing.
	 */
	PgqueListenerObserver NONE = new PgqueListenerObserver() {
	};

	/**
	 * A batch was opened.
	 * @param queue the queue
	 * @param consumer the consumer
	 * @param size how many messages it holds
	 */
	default void batchOpened(String queue, String consumer, int size) {
	}

	/**
	 * A batch was finished (acknowledged); not called when it rolled back.
	 * @param queue the queue
	 * @param consumer the consumer
	 * @param size how many messages it held
	 * @param nanos the time from opening to the ack
	 */
	default void batchFinished(String queue, String consumer, int size, long nanos) {
	}

	/**
	 * One handler call (a message, or the messages of a batch listener) is about to be
	 * tried; every attempt runs through the returned unit.
	 * @param queue the queue
	 * @param consumer the consumer
	 * @param messages the messages of the call
	 * @return the unit, which hears every attempt, each message's outcome and the end
	 */
	default Unit unit(String queue, String consumer, List<PgqueMessage> messages) {
		return Unit.NONE;
	}

	/**
	 * Watch with several observers, in order.
	 * @param observers the observers
	 * @return one observer calling them all
	 */
	static PgqueListenerObserver of(List<PgqueListenerObserver> observers) {
		if (observers.isEmpty()) {
			return NONE;
		}
		return (observers.size() == 1) ? observers.get(0) : new PgqueCompositeListenerObserver(observers);
	}

	/**
	 * An observer found when first used.
	 * @param observer supplies the observer, called once
	 * @return an observer delegating to the supplied one
	 */
	static PgqueListenerObserver lazy(Supplier<PgqueListenerObserver> observer) {
		SingletonSupplier<PgqueListenerObserver> once = SingletonSupplier.of(observer);
		return new PgqueListenerObserver() {

			@Override
			public void batchOpened(String queue, String consumer, int size) {
				once.obtain().batchOpened(queue, consumer, size);
			}

			@Override
			public void batchFinished(String queue, String consumer, int size, long nanos) {
				once.obtain().batchFinished(queue, consumer, size, nanos);
			}

			@Override
			public Unit unit(String queue, String consumer, List<PgqueMessage> messages) {
				return once.obtain().unit(queue, consumer, messages);
			}

		};
	}

	/**
	 * How a message ended.
	 */
	enum Outcome {

		/** Handled; the batch's ack covers it. */
		SUCCESS("success"),

		/** An attempt failed and the call is tried again in place. */
		RETRIED("retried"),

		/** Given back for a later delivery. */
		NACKED("nacked"),

		/** Moved to the dead-letter queue. */
		DEAD_LETTERED("dead-lettered"),

		/** No handler takes its type; the unknown-type policy applied. */
		UNKNOWN_TYPE("unknown-type");

		private final String tag;

		Outcome(String tag) {
			this.tag = tag;
		}

		/**
		 * The value of the {@code outcome} tag.
		 * @return the tag value
		 */
		public String tag() {
			return this.tag;
		}

	}

	/**
	 * One handler call, watched across its attempts.
	 */
	interface Unit {

		/**
		 * Watches nothing.
		 */
		Unit NONE = new Unit() {
		};

		/**
		 * Run one attempt (e.g. with an observation in scope).
		 * @param attempt the attempt
		 * @throws Exception what the attempt threw
		 */
		default void attempt(Attempt attempt) throws Exception {
			attempt.run();
		}

		/**
		 * How one message of the call ended, or that it is tried again.
		 * @param message the message
		 * @param outcome the outcome
		 */
		default void outcome(PgqueMessage message, Outcome outcome) {
		}

		/**
		 * The call is over: every outcome is known, or it failed beyond the processor
		 * (container stopped, batch abandoned).
		 * @param failure the last failure of the call, or {@code null}
		 */
		default void close(@Nullable Throwable failure) {
		}

	}

	/**
	 * One attempt of a handler call.
	 */
	@FunctionalInterface
	interface Attempt {

		void run() throws Exception;

	}

}
