package io.pgque.spring.metrics;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.listener.pipeline.PgqueListenerObserver;

/**
 * Meters of the listener containers, fed by their batch pipelines:
 * <ul>
 * <li>{@code pgque.events.handled} — messages by outcome (tags queue, consumer, type,
 * outcome: success, retried, nacked, dead-lettered, unknown-type; retried counts each
 * in-place retry);</li>
 * <li>{@code pgque.handler.duration} — each handler attempt (tags queue, consumer,
 * outcome success/failure);</li>
 * <li>{@code pgque.batches} and {@code pgque.batch.duration} — finished batches and their
 * time from opening to the ack (tags queue, consumer);</li>
 * <li>{@code pgque.batch.size} — messages per opened batch (tags queue, consumer).</li>
 * </ul>
 *
 * @author pgque-spring-boot authors
 */
public class PgqueListenerMetrics implements PgqueListenerObserver {

	private final MeterRegistry registry;

	public PgqueListenerMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void batchOpened(String queue, String consumer, int size) {
		DistributionSummary.builder("pgque.batch.size")
			.description("Messages per opened batch")
			.baseUnit("events")
			.tags("queue", queue, "consumer", consumer)
			.register(this.registry)
			.record(size);
	}

	@Override
	public void batchFinished(String queue, String consumer, int size, long nanos) {
		Counter.builder("pgque.batches")
			.description("Batches finished (acknowledged)")
			.tags("queue", queue, "consumer", consumer)
			.register(this.registry)
			.increment();
		Timer.builder("pgque.batch.duration")
			.description("Time from opening a batch to its ack")
			.tags("queue", queue, "consumer", consumer)
			.register(this.registry)
			.record(nanos, TimeUnit.NANOSECONDS);
	}

	@Override
	public Unit unit(String queue, String consumer, List<PgqueMessage> messages) {
		return new Unit() {

			@Override
			public void attempt(Attempt attempt) throws Exception {
				long start = System.nanoTime();
				String outcome = "failure";
				try {
					attempt.run();
					outcome = "success";
				}
				finally {
					Timer.builder("pgque.handler.duration")
						.description("Time of one handler attempt")
						.tags("queue", queue, "consumer", consumer, "outcome", outcome)
						.register(PgqueListenerMetrics.this.registry)
						.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
				}
			}

			@Override
			public void outcome(PgqueMessage message, Outcome outcome) {
				Counter.builder("pgque.events.handled")
					.description("Messages handled by listeners, by outcome")
					.baseUnit("events")
					.tags("queue", queue, "consumer", consumer, "type",
							(message.type() != null) ? message.type() : "none", "outcome", outcome.tag())
					.register(PgqueListenerMetrics.this.registry)
					.increment();
			}

		};
	}

}
