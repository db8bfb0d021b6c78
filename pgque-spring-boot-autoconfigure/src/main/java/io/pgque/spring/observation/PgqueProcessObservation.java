package io.pgque.spring.observation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.listener.pipeline.PgqueListenerObserver;
import org.jspecify.annotations.Nullable;

/**
 * Makes the handling of each message a {@code pgque.process} observation, restoring the
 * sender's trace context from the message. A single-message listener runs with its
 * message's observation in scope; a batch listener gets one observation per message (all
 * sharing the batch id), started before and stopped after the one call, with none in
 * scope since the call belongs to all of them.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueProcessObservation implements PgqueListenerObserver {

	private static final PgqueProcessObservationConvention DEFAULT = new DefaultPgqueProcessObservationConvention();

	private final ObservationRegistry registry;

	private final @Nullable PgqueProcessObservationConvention convention;

	/**
	 * Create the observer.
	 * @param registry the observation registry
	 * @param convention a convention replacing the default, or {@code null}
	 */
	public PgqueProcessObservation(ObservationRegistry registry,
			@Nullable PgqueProcessObservationConvention convention) {
		this.registry = registry;
		this.convention = convention;
	}

	@Override
	public Unit unit(String queue, String consumer, List<PgqueMessage> messages) {
		boolean batch = messages.size() > 1;
		Map<Long, Observed> observed = new LinkedHashMap<>();
		for (PgqueMessage message : messages) {
			PgqueProcessContext context = new PgqueProcessContext(queue, consumer, message, batch);
			Observation observation = Observation
				.createNotStarted(this.convention, DEFAULT, () -> context, this.registry)
				.start();
			observed.put(message.id(), new Observed(context, observation));
		}
		List<Observed> all = new ArrayList<>(observed.values());
		return new Unit() {

			@Override
			public void attempt(Attempt attempt) throws Exception {
				if (all.size() != 1) {
					attempt.run();
					return;
				}
				try (Observation.Scope scope = all.get(0).observation().openScope()) {
					attempt.run();
				}
			}

			@Override
			public void outcome(PgqueMessage message, Outcome outcome) {
				Observed one = observed.get(message.id());
				if (one != null) {
					one.context().setOutcome(outcome.tag());
				}
			}

			@Override
			public void close(@Nullable Throwable failure) {
				for (Observed one : all) {
					if (failure != null && !Outcome.SUCCESS.tag().equals(one.context().getOutcome())) {
						one.observation().error(failure);
					}
					one.observation().stop();
				}
			}

		};
	}

	private record Observed(PgqueProcessContext context, Observation observation) {

	}

}
