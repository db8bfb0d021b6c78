package io.pgque.spring.metrics;

import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pgque.spring.core.PgqueSendObserver;

/**
 * Meters of sending: {@code pgque.events.sent} counts events (tags queue, type, outcome
 * {@code success}/{@code failure}) and {@code pgque.send.duration} times each
 * {@code send}/{@code sendBatch} call (tags queue, outcome).
 *
 * @author pgque-spring-boot authors
 */
public class PgqueSendMetrics implements PgqueSendObserver {

	private final MeterRegistry registry;

	public PgqueSendMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public Send start(String queue, String type, int count) {
		Timer.Sample sample = Timer.start(this.registry);
		return new Send() {

			@Override
			public void sent(List<Long> eventIds) {
				record(queue, type, eventIds.size(), sample, "success");
			}

			@Override
			public void failed(Throwable failure) {
				record(queue, type, count, sample, "failure");
			}

		};
	}

	private void record(String queue, String type, int events, Timer.Sample sample, String outcome) {
		sample.stop(Timer.builder("pgque.send.duration")
			.description("Time of one send or sendBatch call")
			.tags("queue", queue, "outcome", outcome)
			.register(this.registry));
		Counter.builder("pgque.events.sent")
			.description("Events sent (not yet committed when sent in a transaction)")
			.baseUnit("events")
			.tags("queue", queue, "type", type, "outcome", outcome)
			.register(this.registry)
			.increment(events);
	}

}
