package io.pgque.spring.observation;

import java.util.List;
import java.util.Map;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.pgque.spring.core.PgqueSendObserver;
import org.jspecify.annotations.Nullable;

/**
 * Makes each send a {@code pgque.send} observation, in scope while the SQL runs. When a
 * tracer is registered its propagation handler fills the context's carrier at the start,
 * and that becomes the trace context stored with the events.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueSendObservation implements PgqueSendObserver {

	private static final PgqueSendObservationConvention DEFAULT = new DefaultPgqueSendObservationConvention();

	private final ObservationRegistry registry;

	private final @Nullable PgqueSendObservationConvention convention;

	/**
	 * Create the observer.
	 * @param registry the observation registry
	 * @param convention a convention replacing the default, or {@code null}
	 */
	public PgqueSendObservation(ObservationRegistry registry, @Nullable PgqueSendObservationConvention convention) {
		this.registry = registry;
		this.convention = convention;
	}

	@Override
	public Send start(String queue, String type, int count) {
		PgqueSendContext context = new PgqueSendContext(queue, type, count);
		Observation observation = Observation.createNotStarted(this.convention, DEFAULT, () -> context, this.registry)
			.start();
		Observation.Scope scope = observation.openScope();
		return new Send() {

			@Override
			public @Nullable String traceContext() {
				Map<String, String> carrier = context.getCarrier();
				return (carrier != null) ? PgqueTraceContext.format(carrier) : null;
			}

			@Override
			public void sent(List<Long> eventIds) {
				context.setEventIds(eventIds);
				scope.close();
				observation.stop();
			}

			@Override
			public void failed(Throwable failure) {
				observation.error(failure);
				scope.close();
				observation.stop();
			}

		};
	}

}
