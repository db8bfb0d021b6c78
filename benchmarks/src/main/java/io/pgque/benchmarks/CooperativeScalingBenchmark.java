package io.pgque.benchmarks;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import io.pgque.spring.config.PgqueListenerContainerFactory;
import io.pgque.spring.config.PgqueListenerEndpoint;
import io.pgque.spring.core.PgqueTemplate;
import io.pgque.spring.listener.PgqueListenerContainer;

/**
 * Cooperative workers ({@code concurrency}) against the single worker: a handler that
 * sleeps 10 ms per event (a remote call, say) drains a preloaded queue of small batches
 * with 1, 2, 4 and 8 workers in one application, and with 4 workers in each of two
 * applications. Prints events/s for each, the ideal (workers x the single worker's rate)
 * and the ratio to it; the target is at least 0.8 up to 8 workers.
 */
final class CooperativeScalingBenchmark {

	private static final int BATCHES = 200;

	private static final int BATCH_SIZE = 10;

	private static final int TOTAL = BATCHES * BATCH_SIZE;

	private static final long SLEEP_MILLIS = 10;

	private final PgqueTemplate template;

	private final PgqueListenerContainerFactory factory;

	private final PgqueListenerContainerFactory secondFactory;

	private int runs;

	/**
	 * Create the benchmark.
	 * @param template sends and ticks
	 * @param factory creates the containers of the first application
	 * @param secondFactory creates those of the second application
	 */
	CooperativeScalingBenchmark(PgqueTemplate template, PgqueListenerContainerFactory factory,
			PgqueListenerContainerFactory secondFactory) {
		this.template = template;
		this.factory = factory;
		this.secondFactory = secondFactory;
	}

	void run() throws Exception {
		System.out.printf(
				"%nCooperative workers, %,d preloaded events in batches of %d, handler sleeping %d ms" + " per event%n",
				TOTAL, BATCH_SIZE, SLEEP_MILLIS);
		// warm-up
		drain(List.of(this.factory), 2);
		double single = drain(List.of(this.factory), 1);
		System.out.println(line("concurrency 1 (single worker)", 1, single, single));
		for (int workers : new int[] { 2, 4, 8 }) {
			System.out.println(line("concurrency " + workers, workers, drain(List.of(this.factory), workers), single));
		}
		System.out.println(
				line("2 applications x concurrency 4", 8, drain(List.of(this.factory, this.secondFactory), 4), single));
	}

	private static String line(String name, int workers, double rate, double single) {
		double ideal = workers * single;
		return String.format("%-34s %,8.0f ev/s | ideal %,8.0f ev/s | ratio %.2f", name, rate, ideal, rate / ideal);
	}

	private double drain(List<PgqueListenerContainerFactory> applications, int concurrency) throws Exception {
		String queue = "bench_coop_" + (++this.runs);
		String consumer = "sleeper";
		this.template.createQueue(queue);
		this.template.subscribe(queue, consumer);
		List<String> payloads = Collections.nCopies(BATCH_SIZE, "\"x\"");
		for (int i = 0; i < BATCHES; i++) {
			this.template.sendBatch(queue, "sleep", payloads);
			this.template.forceTick(queue);
		}
		SleepingHandler handler = new SleepingHandler(TOTAL, SLEEP_MILLIS);
		Method method = SleepingHandler.class.getDeclaredMethod("on", String.class);
		List<PgqueListenerContainer> containers = new ArrayList<>();
		for (PgqueListenerContainerFactory application : applications) {
			containers.add(application.createContainer(
					List.of(new PgqueListenerEndpoint(handler, method, queue, consumer, queue + "-" + containers.size(),
							null, Set.of(), null, null, null, null, null, null, concurrency, null, null))));
		}
		long started = System.nanoTime();
		containers.forEach(PgqueListenerContainer::start);
		try {
			return handler.awaitRate(started);
		}
		finally {
			containers.forEach(PgqueListenerContainer::stop);
		}
	}

}
