package io.pgque.spring.observation;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.listener.pipeline.PgqueListenerObserver.Outcome;
import io.pgque.spring.listener.pipeline.PgqueListenerObserver.Unit;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The observations of handling without a tracer: one {@code pgque.process} per message,
 * and for a batch listener's call of several messages one {@code pgque.process.batch} in
 * scope while it runs.
 */
class PgqueProcessObservationTests {

	private final List<Observation.Context> started = new CopyOnWriteArrayList<>();

	private final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

	private final ObservationRegistry registry = ObservationRegistry.create();

	private final PgqueProcessObservation observation = new PgqueProcessObservation(this.registry, null);

	PgqueProcessObservationTests() {
		this.registry.observationConfig().observationHandler(new ObservationHandler<>() {

			@Override
			public void onStart(Observation.Context context) {
				PgqueProcessObservationTests.this.started.add(context);
			}

			@Override
			public void onStop(Observation.Context context) {
				PgqueProcessObservationTests.this.stopped.add(context);
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

		});
	}

	@Test
	void unitWhenOneMessageShouldRunInItsProcessObservation() throws Exception {
		Unit unit = this.observation.unit("q", "c", List.of(message(1)));
		Observation[] current = new Observation[1];
		unit.attempt(() -> current[0] = this.registry.getCurrentObservation());
		unit.outcome(message(1), Outcome.SUCCESS);
		unit.close(null);
		assertThat(this.started).singleElement().isInstanceOf(PgqueProcessContext.class);
		assertThat(current[0].getContext()).isSameAs(this.started.get(0));
		assertThat(this.stopped).hasSize(1);
	}

	@Test
	void unitWhenABatchListenersCallShouldObserveEachMessageAndRunInTheBatchObservation() throws Exception {
		Unit unit = this.observation.unit("q", "c", List.of(message(1), message(2)));
		Observation[] current = new Observation[1];
		unit.attempt(() -> current[0] = this.registry.getCurrentObservation());
		unit.close(new IllegalStateException("failed"));
		assertThat(this.started).hasSize(3);
		assertThat(this.started.get(2)).isInstanceOfSatisfying(PgqueBatchProcessContext.class, (batch) -> {
			assertThat(batch.getName()).isEqualTo("pgque.process.batch");
			assertThat(batch.getBatchId()).isEqualTo(7);
			assertThat(batch.getMessages()).containsExactly((PgqueProcessContext) this.started.get(0),
					(PgqueProcessContext) this.started.get(1));
			assertThat(batch.getError()).hasMessage("failed");
		});
		assertThat(current[0].getContext()).isSameAs(this.started.get(2));
		assertThat(this.stopped).hasSize(3);
	}

	private static PgqueMessage message(long id) {
		return new PgqueMessage(id, 7, "t", "p", null, OffsetDateTime.now(), null, null, null, null);
	}

}
