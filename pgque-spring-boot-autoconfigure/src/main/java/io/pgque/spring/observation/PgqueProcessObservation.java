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
 * message's observation in scope. A batch listener called with several messages gets one
 * observation per message (each in its sender's trace, all sharing the batch id) and one
 * {@code pgque.process.batch} observation for the call, in scope while it runs; with a
 * tracer, its span links to the message spans ({@link PgqueBatchProcessTracingHandler}).
 *
 * @author pgque-spring-boot authors
 */
public class PgqueProcessObservation implements PgqueListenerObserver {

	private static final PgqueProcessObservationConvention DEFAULT = new DefaultPgqueProcessObservationConvention();

	private static final PgqueBatchProcessObservationConvention DEFAULT_BATCH = new DefaultPgqueBatchProcessObservationConvention();

	private final ObservationRegistry registry;

	private final @Nullable PgqueProcessObservationConvention convention;

	private final @Nullable PgqueBatchProcessObservationConvention batchConvention;

	/**
	 * Create the observer.
	 * @param registry the observation registry
	 * @param convention a convention replacing the default, or {@code null}
	 */
	public PgqueProcessObservation(ObservationRegistry registry,
			@Nullable PgqueProcessObservationConvention convention) {
		this(registry, convention, null);
	}

	/**
	 * Create the observer.
	 * @param registry the observation registry
	 * @param convention a convention replacing the default, or {@code null}
	 * @param batchConvention a convention replacing the default of
	 * {@code pgque.process.batch}, or {@code null}
	 */
	public PgqueProcessObservation(ObservationRegistry registry, @Nullable PgqueProcessObservationConvention convention,
			@Nullable PgqueBatchProcessObservationConvention batchConvention) {
		this.registry = registry;
		this.convention = convention;
		this.batchConvention = batchConvention;
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
		// started after the messages' observations, so that its span can link to theirs
		Observation inScope = batch ? batchObservation(queue, consumer, messages.get(0).batchId(), all)
				: all.isEmpty() ? Observation.NOOP : all.get(0).observation();
		return new Unit() {

			@Override
			public void attempt(Attempt attempt) throws Exception {
				try (Observation.Scope scope = inScope.openScope()) {
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
				if (batch) {
					if (failure != null) {
						inScope.error(failure);
					}
					inScope.stop();
				}
			}

		};
	}

	private Observation batchObservation(String queue, String consumer, long batchId, List<Observed> messages) {
		PgqueBatchProcessContext context = new PgqueBatchProcessContext(queue, consumer, batchId,
				messages.stream().map(Observed::context).toList());
		return Observation.createNotStarted(this.batchConvention, DEFAULT_BATCH, () -> context, this.registry).start();
	}

	private record Observed(PgqueProcessContext context, Observation observation) {

	}

}
