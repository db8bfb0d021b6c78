package io.pgque.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.core.PgqueTemplate;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * End-to-end latency, send committed to listener invoked, with the embedded ticker and
 * its NOTIFY wake-up, at 50 events/s (Poisson arrivals). An event waits on average half a
 * tick period for the next tick, so half the period is the floor the p50 is set against.
 */
final class LatencyBenchmark {

	private static final int EVENTS_PER_SECOND = 50;

	private static final Duration MEASURED = Duration.ofSeconds(8);

	private final BenchServer server;

	LatencyBenchmark(BenchServer server) {
		this.server = server;
	}

	void run() throws Exception {
		System.out.printf("%nEnd-to-end latency, send committed -> @PgqueListener invoked, %d events/s, %d s%n",
				EVENTS_PER_SECOND, MEASURED.toSeconds());
		for (Duration period : List.of(Duration.ofMillis(100), Duration.ofMillis(20))) {
			measure(period);
		}
	}

	private void measure(Duration period) throws Exception {
		String queue = "bench_latency_" + period.toMillis();
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(PgqueBenchmarks.Application.class,
				Recorder.class)
			.properties(PgqueBenchmarks.contextProperties(this.server))
			.properties("pgque.ticker.mode=embedded", "pgque.ticker.tick-period=" + period.toMillis() + "ms",
					"pgque.queues." + queue + ".ticker-max-count=1", "bench.queue=" + queue)
			.run()) {
			// the ticker's leadership and the listener's lease come within a period or
			// two
			Thread.sleep(2000);
			PgqueTemplate template = context.getBean(PgqueTemplate.class);
			Recorder recorder = context.getBean(Recorder.class);
			Map<Long, Long> committedAt = new ConcurrentHashMap<>();
			long end = System.nanoTime() + MEASURED.toNanos();
			while (System.nanoTime() < end) {
				long id = template.send(queue, "order-placed", "{\"n\":1}");
				committedAt.put(id, System.nanoTime());
				double gap = -Math.log(1 - ThreadLocalRandom.current().nextDouble()) / EVENTS_PER_SECOND;
				TimeUnit.MICROSECONDS.sleep((long) (gap * 1_000_000));
			}
			Thread.sleep(3 * period.toMillis() + 500);
			List<Long> latencies = new ArrayList<>();
			committedAt.forEach((id, committed) -> {
				Long invoked = recorder.invokedAt.get(id);
				if (invoked != null) {
					latencies.add(invoked - committed);
				}
			});
			Collections.sort(latencies);
			double floor = period.toMillis() / 2.0;
			double p50 = percentile(latencies, 50);
			System.out.printf(
					"tick %3d ms: %,d of %,d events, p50 %6.1f ms, p95 %6.1f ms, p99 %6.1f ms | floor (half a period)"
							+ " %5.1f ms | p50 / floor %.2f%n",
					period.toMillis(), latencies.size(), committedAt.size(), p50, percentile(latencies, 95),
					percentile(latencies, 99), floor, p50 / floor);
		}
	}

	private static double percentile(List<Long> sortedNanos, int percentile) {
		if (sortedNanos.isEmpty()) {
			return Double.NaN;
		}
		int index = (int) Math.ceil(percentile / 100.0 * sortedNanos.size()) - 1;
		return sortedNanos.get(Math.max(0, Math.min(index, sortedNanos.size() - 1))) / 1_000_000.0;
	}

	/**
	 * Notes when each event reached the listener.
	 */
	static class Recorder {

		final Map<Long, Long> invokedAt = new ConcurrentHashMap<>();

		@PgqueListener(queue = "${bench.queue}", consumer = "bench")
		void on(PgqueMessage message) {
			this.invokedAt.put(message.id(), System.nanoTime());
		}

	}

}
