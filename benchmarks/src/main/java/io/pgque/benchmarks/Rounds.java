package io.pgque.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Rates of a workload and of its baseline, measured in alternating rounds (and within a
 * round in alternating slices) so that load from elsewhere on the machine hits both
 * alike. The ratio is taken per round, then its median reported.
 */
final class Rounds {

	/**
	 * Slices of each side in one round of {@link #alternate} (even: each goes first as
	 * often).
	 */
	static final int SLICES = 4;

	private final List<Double> subject = new ArrayList<>();

	private final List<Double> baseline = new ArrayList<>();

	private final List<Double> ratios = new ArrayList<>();

	/**
	 * Add a round from the times (or other nanosecond measures) of its two sides.
	 * @param events the events each side handled
	 * @param subjectNanos the workload's time
	 * @param baselineNanos the baseline's time
	 */
	void addTimes(long events, long subjectNanos, long baselineNanos) {
		add(events / (subjectNanos / 1e9), events / (baselineNanos / 1e9));
	}

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

	/**
	 * Run a workload and its baseline in one round, in alternating slices (subject,
	 * baseline, baseline, subject, and again), so that a burst of load from elsewhere on
	 * the machine hits both alike rather than whichever happened to run during it.
	 * @param subject one slice of the workload
	 * @param baseline one slice of the baseline
	 * @param meter a second measure summed per side over its slices (the server's CPU
	 * time, say), or {@code () -> 0}
	 * @return the time and the measure of each side
	 * @throws Exception if a slice fails
	 */
	static Alternated alternate(Work subject, Work baseline, LongSupplier meter) throws Exception {
		long[] nanos = new long[2];
		long[] measured = new long[2];
		for (int slot = 0; slot < 2 * SLICES; slot++) {
			// A B B A A B B A ...
			int side = ((slot + 1) / 2) % 2;
			long startMeter = meter.getAsLong();
			long started = System.nanoTime();
			((side == 0) ? subject : baseline).run();
			nanos[side] += System.nanoTime() - started;
			measured[side] += meter.getAsLong() - startMeter;
		}
		return new Alternated(nanos[0], nanos[1], measured[0], measured[1]);
	}

	/**
	 * What {@link #alternate} measured.
	 *
	 * @param subjectNanos wall-clock time of the workload's slices
	 * @param baselineNanos wall-clock time of the baseline's slices
	 * @param subjectMeter the second measure over the workload's slices
	 * @param baselineMeter the second measure over the baseline's slices
	 */
	record Alternated(long subjectNanos, long baselineNanos, long subjectMeter, long baselineMeter) {

	}

	@FunctionalInterface
	interface Work {

		void run() throws Exception;

	}

}
