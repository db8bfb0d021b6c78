package io.pgque.spring.listener;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drains 200,000 preloaded events (400 batches of 500) through a no-op
 * {@code @PgqueListener} and, over the same batches, through a raw SQL loop on one
 * connection ({@code next_batch}, {@code get_batch_events} reading every column,
 * {@code finish_batch}, commit), and prints both rates.
 * <p>
 * Every reader is a consumer of its own, so all of them read the same batches. Raw loop
 * and listener take turns, three rounds each, after a warm-up round of each; the best and
 * the median round are printed, since the machine may be shared. A last round runs both
 * at the same time, on two more consumers, so that outside load hits both alike.
 * <p>
 * Run with
 * {@code -Dgroups=benchmark -DexcludedGroups=none -Dtest=PgqueListenerThroughputBenchmark}.
 */
@Tag("benchmark")
class PgqueListenerThroughputBenchmark {

	private static final String QUEUE = "bench";

	private static final int BATCHES = 400;

	private static final int BATCH_SIZE = 500;

	private static final int TOTAL = BATCHES * BATCH_SIZE;

	private static final int ROUNDS = 3;

	private static final int SIDE_BY_SIDE = ROUNDS + 1;

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	static final Map<String, AtomicLong> handled = new ConcurrentHashMap<>();

	static final Map<String, Long> leaseAcquiredAt = new ConcurrentHashMap<>();

	static final Map<String, Long> finishedAt = new ConcurrentHashMap<>();

	private final ListenerTestSupport support = new ListenerTestSupport(db);

	@Test
	void drainPreloadedEvents() throws Exception {
		this.support.createQueue(QUEUE);
		for (int round = 0; round <= SIDE_BY_SIDE; round++) {
			this.support.subscribe(QUEUE, "raw" + round);
			this.support.subscribe(QUEUE, "listener" + round);
		}
		long loading = System.nanoTime();
		for (int i = 0; i < BATCHES; i++) {
			this.support.insertMany(QUEUE, "bench", "{\"n\":", BATCH_SIZE);
			this.support.tick(QUEUE);
		}
		System.out.printf("preloaded %,d events in %d ms%n", TOTAL, (System.nanoTime() - loading) / 1_000_000);
		// set hint bits and statistics now, or the first reader pays for them
		db.jdbc().execute("VACUUM (ANALYZE)");
		List<Double> raw = new ArrayList<>();
		List<Double> listener = new ArrayList<>();
		this.support.contextRunner()
			.withPropertyValues("pgque.listener.auto-startup=false")
			.withUserConfiguration(NoOpListeners.class)
			.run((context) -> {
				PgqueListenerContainerRegistry registry = context.getBean(PgqueListenerContainerRegistry.class);
				for (int round = 0; round <= ROUNDS; round++) {
					double rawRate = rawLoop("raw" + round);
					double listenerRate = listener(registry, "listener" + round);
					System.out.printf("round %d: raw %,10.0f events/s, listener %,10.0f events/s%s%n", round, rawRate,
							listenerRate, (round == 0) ? " (warm-up, not counted)" : "");
					if (round > 0) {
						raw.add(rawRate);
						listener.add(listenerRate);
					}
				}
				// both at once, so that load from elsewhere hits both alike
				double[] rawRate = new double[1];
				Thread rawThread = new Thread(() -> {
					try {
						rawRate[0] = rawLoop("raw" + SIDE_BY_SIDE);
					}
					catch (Exception ex) {
						throw new IllegalStateException(ex);
					}
				});
				rawThread.start();
				double listenerRate = listener(registry, "listener" + SIDE_BY_SIDE);
				rawThread.join();
				System.out.printf("side by side: raw %,10.0f events/s, listener %,10.0f events/s (%.0f %%)%n",
						rawRate[0], listenerRate, 100 * listenerRate / rawRate[0]);
			});
		Collections.sort(raw);
		Collections.sort(listener);
		double rawBest = raw.get(raw.size() - 1);
		double listenerBest = listener.get(listener.size() - 1);
		double rawMedian = raw.get(raw.size() / 2);
		double listenerMedian = listener.get(listener.size() / 2);
		System.out.printf("raw SQL loop:   best %,10.0f events/s, median %,10.0f events/s%n", rawBest, rawMedian);
		System.out.printf("@PgqueListener: best %,10.0f events/s, median %,10.0f events/s%n", listenerBest,
				listenerMedian);
		System.out.printf("listener / raw: best %.0f %%, median %.0f %%%n", 100 * listenerBest / rawBest,
				100 * listenerMedian / rawMedian);
	}

	private double rawLoop(String consumer) throws Exception {
		long count = 0;
		long started;
		try (Connection con = db.newConnection()) {
			con.setAutoCommit(false);
			started = System.nanoTime();
			try (PreparedStatement next = con.prepareStatement("SELECT pgque.next_batch(?, ?)");
					PreparedStatement events = con.prepareStatement(
							"""
									SELECT ev_id, ev_time, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
									FROM pgque.get_batch_events(?) ORDER BY ev_id""");
					PreparedStatement finish = con.prepareStatement("SELECT pgque.finish_batch(?)")) {
				while (true) {
					next.setString(1, QUEUE);
					next.setString(2, consumer);
					long batchId;
					try (ResultSet rs = next.executeQuery()) {
						rs.next();
						batchId = rs.getLong(1);
						if (rs.wasNull()) {
							con.commit();
							break;
						}
					}
					events.setLong(1, batchId);
					try (ResultSet rs = events.executeQuery()) {
						while (rs.next()) {
							// read the row as any client would: every column of the
							// message
							rs.getLong(1);
							rs.getObject(2, OffsetDateTime.class);
							rs.getInt(3);
							for (int column = 4; column <= 9; column++) {
								rs.getString(column);
							}
							count++;
						}
					}
					finish.setLong(1, batchId);
					finish.executeQuery().close();
					con.commit();
				}
			}
		}
		double seconds = (System.nanoTime() - started) / 1e9;
		assertThat(count).isEqualTo(TOTAL);
		return count / seconds;
	}

	// From the moment the container holds its lease (start-up excluded, as the raw loop's
	// connection set-up is) to the last event handled.
	private double listener(PgqueListenerContainerRegistry registry, String consumer) throws InterruptedException {
		String id = QUEUE + "/" + consumer;
		registry.start(id);
		while (!finishedAt.containsKey(consumer)) {
			Thread.sleep(1);
		}
		registry.stop(id);
		double seconds = (finishedAt.get(consumer) - leaseAcquiredAt.get(id)) / 1e9;
		return TOTAL / seconds;
	}

	static void count(String consumer) {
		if (handled.computeIfAbsent(consumer, (key) -> new AtomicLong()).incrementAndGet() == TOTAL) {
			finishedAt.put(consumer, System.nanoTime());
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class NoOpListeners {

		@EventListener
		void on(PgqueListenerContainerEvent event) {
			if (event.getKind() == PgqueListenerContainerEvent.Kind.LEASE_ACQUIRED) {
				leaseAcquiredAt.putIfAbsent(event.getContainer().getId(), System.nanoTime());
			}
		}

		@PgqueListener(queue = "bench", consumer = "listener0")
		void on0(String payload) {
			count("listener0");
		}

		@PgqueListener(queue = "bench", consumer = "listener1")
		void on1(String payload) {
			count("listener1");
		}

		@PgqueListener(queue = "bench", consumer = "listener2")
		void on2(String payload) {
			count("listener2");
		}

		@PgqueListener(queue = "bench", consumer = "listener3")
		void on3(String payload) {
			count("listener3");
		}

		@PgqueListener(queue = "bench", consumer = "listener4")
		void on4(String payload) {
			count("listener4");
		}

	}

}
