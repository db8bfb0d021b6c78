package io.pgque.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Rates of a workload and of its baseline, measured in alternating rounds so that load
 * from elsewhere on the machine hits both alike. The ratio is taken per round, then its
 * median reported.
 */
final class Rounds {

	private final List<Double> subject = new ArrayList<>();

	private final List<Double> baseline = new ArrayList<>();

	private final List<Double> ratios = new ArrayList<>();

	void add(double subjectRate, double baselineRate) {
		this.subject.add(subjectRate);
		this.baseline.add(baselineRate);
		this.ratios.add(subjectRate / baselineRate);
	}

	boolean isEmpty() {
		return this.ratios.isEmpty();
	}

	String line(String subjectName, String baselineName, String unit) {
		return String.format("%-34s %,12.0f %s | %-34s %,12.0f %s | ratio %.2f (rounds %.2f-%.2f)", subjectName,
				median(this.subject), unit, baselineName, median(this.baseline), unit, median(this.ratios),
				Collections.min(this.ratios), Collections.max(this.ratios));
	}

	static double median(List<Double> values) {
		List<Double> sorted = new ArrayList<>(values);
		Collections.sort(sorted);
		int middle = sorted.size() / 2;
		return (sorted.size() % 2 == 1) ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
	}

	/**
	 * Run a workload and return its rate.
	 * @param events how many events one run handles
	 * @param work the run
	 * @return events per second
	 * @throws Exception if the run fails
	 */
	static double rate(long events, Work work) throws Exception {
		long started = System.nanoTime();
		work.run();
		return events / ((System.nanoTime() - started) / 1e9);
	}

	@FunctionalInterface
	interface Work {

		void run() throws Exception;

	}

}
