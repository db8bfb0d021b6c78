package io.pgque.spring.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Eight workers share one consumer, each looping next batch, read events, finish batch in
 * one transaction. With the receive lock every event arrives exactly once. The same run
 * against a copy of next_batch_custom without the lock must find duplicates: proof that
 * this test can fail.
 */
@Timeout(180)
class EngineConcurrencyStressIntegrationTests {

	private static final int THREADS = 8;

	private static final int EVENTS = 10_000;

	private static final int EVENTS_PER_TICK = 50;

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final EngineSql sql = new EngineSql(db.jdbc());

	@Test
	void everyEventArrivesExactlyOnceWithTheReceiveLock() throws Exception {
		List<Long> produced = produce("stress_locked");
		Run run = consume("stress_locked", "pgque.next_batch_custom");
		print("with the receive lock", run);
		assertThat(run.duplicates()).isZero();
		assertThat(run.counts().keySet()).containsExactlyInAnyOrderElementsOf(produced);
		assertThat(run.batches()).isEqualTo(EVENTS / EVENTS_PER_TICK);
	}

	@Test
	void aCopyWithoutTheLockDeliversDuplicates() throws Exception {
		String source = db.jdbc()
			.queryForObject("SELECT pg_get_functiondef('pgque.next_batch_custom(text,text,interval,int4,interval)'"
					+ "::regprocedure)", String.class);
		String unlocked = replaceOnce(
				replaceOnce(source, "FUNCTION pgque.next_batch_custom(", "FUNCTION pgque_nolock.next_batch_custom("),
				"\n\tFOR UPDATE;", ";");
		db.jdbc().execute("CREATE SCHEMA IF NOT EXISTS pgque_nolock");
		db.jdbc().execute(unlocked);

		produce("stress_unlocked");
		Run run = consume("stress_unlocked", "pgque_nolock.next_batch_custom");
		print("without the receive lock", run);
		assertThat(run.duplicates()).isPositive();
	}

	private static String replaceOnce(String text, String target, String replacement) {
		assertThat(text.split(java.util.regex.Pattern.quote(target), -1)).as("occurrences of %s", target).hasSize(2);
		return text.replace(target, replacement);
	}

	private List<Long> produce(String queue) {
		this.sql.createQueue(queue);
		this.sql.subscribe(queue, "shared");
		List<Long> ids = new ArrayList<>();
		for (int i = 0; i < EVENTS / EVENTS_PER_TICK; i++) {
			ids.addAll(this.sql.insertMany(queue, "e", EVENTS_PER_TICK));
			this.sql.tick(queue);
		}
		return ids;
	}

	private Run consume(String queue, String nextBatchFunction) throws Exception {
		ConcurrentLinkedQueue<Long> received = new ConcurrentLinkedQueue<>();
		AtomicInteger batches = new AtomicInteger();
		ExecutorService executor = Executors.newFixedThreadPool(THREADS);
		long start = System.nanoTime();
		try {
			List<Future<?>> workers = new ArrayList<>();
			for (int i = 0; i < THREADS; i++) {
				workers.add(executor.submit(() -> {
					work(queue, nextBatchFunction, received, batches);
					return null;
				}));
			}
			for (Future<?> worker : workers) {
				worker.get(120, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
		Map<Long, Long> counts = received.stream()
			.collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
		long duplicates = received.size() - counts.size();
		return new Run(millis, batches.get(), received.size(), duplicates, counts);
	}

	// One worker: each round is one transaction, next batch -> events -> finish.
	private static void work(String queue, String nextBatchFunction, ConcurrentLinkedQueue<Long> received,
			AtomicInteger batches) throws SQLException {
		try (Connection connection = db.newConnection()) {
			connection.setAutoCommit(false);
			try (PreparedStatement next = connection
				.prepareStatement("SELECT batch_id FROM " + nextBatchFunction + "(?, 'shared', NULL, NULL, NULL)");
					PreparedStatement events = connection
						.prepareStatement("SELECT ev_id FROM pgque.get_batch_events(?)");
					PreparedStatement finish = connection.prepareStatement("SELECT pgque.finish_batch(?)")) {
				next.setString(1, queue);
				while (true) {
					long batch;
					try (ResultSet rs = next.executeQuery()) {
						rs.next();
						batch = rs.getLong(1);
						if (rs.wasNull()) {
							connection.commit();
							return;
						}
					}
					List<Long> ids = new ArrayList<>();
					events.setLong(1, batch);
					try (ResultSet rs = events.executeQuery()) {
						while (rs.next()) {
							ids.add(rs.getLong(1));
						}
					}
					finish.setLong(1, batch);
					finish.executeQuery().close();
					connection.commit();
					received.addAll(ids);
					if (!ids.isEmpty()) {
						batches.incrementAndGet();
					}
				}
			}
		}
	}

	private static void print(String label, Run run) {
		System.out.printf(
				"stress %s: %d threads, %d events in %d ms, %d non-empty batches, %d rows received,"
						+ " %d duplicates%n",
				label, THREADS, EVENTS, run.millis(), run.batches(), run.rows(), run.duplicates());
	}

	private record Run(long millis, int batches, int rows, long duplicates, Map<Long, Long> counts) {

	}

}
