package io.pgque.spring.listener.pipeline;

import java.util.ArrayList;
import java.util.List;

import io.pgque.spring.core.PgqueMessage;
import org.jspecify.annotations.Nullable;

/**
 * Several {@link PgqueListenerObserver}s as one: attempts nest in order (the first
 * observer's scope is outermost), units close in reverse.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueCompositeListenerObserver implements PgqueListenerObserver {

	private final List<PgqueListenerObserver> observers;

	PgqueCompositeListenerObserver(List<PgqueListenerObserver> observers) {
		this.observers = List.copyOf(observers);
	}

	@Override
	public void batchOpened(String queue, String consumer, int size) {
		this.observers.forEach((observer) -> observer.batchOpened(queue, consumer, size));
	}

	@Override
	public void batchFinished(String queue, String consumer, int size, long nanos) {
		this.observers.forEach((observer) -> observer.batchFinished(queue, consumer, size, nanos));
	}

	@Override
	public Unit unit(String queue, String consumer, List<PgqueMessage> messages) {
		List<Unit> units = new ArrayList<>(this.observers.size());
		this.observers.forEach((observer) -> units.add(observer.unit(queue, consumer, messages)));
		return new Unit() {

			@Override
			public void attempt(Attempt attempt) throws Exception {
				Attempt nested = attempt;
				for (int i = units.size() - 1; i >= 0; i--) {
					Unit unit = units.get(i);
					Attempt inner = nested;
					nested = () -> unit.attempt(inner);
				}
				nested.run();
			}

			@Override
			public void outcome(PgqueMessage message, Outcome outcome) {
				units.forEach((unit) -> unit.outcome(message, outcome));
			}

			@Override
			public void close(@Nullable Throwable failure) {
				for (int i = units.size() - 1; i >= 0; i--) {
					units.get(i).close(failure);
				}
			}

		};
	}

}
