package io.pgque.spring.listener;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.pgque.spring.config.PgqueListenerContainerFactory;
import io.pgque.spring.config.PgqueListenerEndpoint;
import io.pgque.spring.test.PgqDrainLoop;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drains 200,000 preloaded events (400 batches of 500) through a no-op listener (a
 * container from the auto-configured factory, as for a {@code @PgqueListener} method)
 * and, over the same batches, through two raw SQL loops on one connection each, and
 * prints the three rates:
 * <ul>
 * <li>receive/ack: {@code receive(queue, consumer, NULL)} (the whole batch), reading
 * every column, {@code ack}, commit: the modern API;</li>
 * <li>PgQ: {@code next_batch}, {@code get_batch_events} reading every column,
 * {@code finish_batch}, commit: the classic API.</li>
 * </ul>
 * Every reader is a consumer of its own, so all of them read the same batches. The loops
 * and the listener take turns, seven rounds each, after three warm-up rounds of each; the
 * best and the median round are printed, since the machine may be shared. A last round
 * runs the receive/ack loop and the listener at the same time, on two more consumers, so
 * that outside load hits both alike.
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

	// until the JIT has compiled both sides: while it compiles it takes CPU from the
	// database too (two cores), and the listener has more code to compile
	private static final int WARM_UP_ROUNDS = 3;

	private static final int ROUNDS = 7;

	private static final int SIDE_BY_SIDE = WARM_UP_ROUNDS + ROUNDS;

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	static final Map<String, Long> leaseAcquiredAt = new ConcurrentHashMap<>();

	private final ListenerTestSupport support = new ListenerTestSupport(db);

	@Test
	void drainPreloadedEvents() throws Exception {
		this.support.createQueue(QUEUE);
		for (int round = 0; round <= SIDE_BY_SIDE; round++) {
			this.support.subscribe(QUEUE, "raw" + round);
			this.support.subscribe(QUEUE, "pgq" + round);
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
		List<Double> pgq = new ArrayList<>();
		List<Double> listener = new ArrayList<>();
		this.support.contextRunner().withUserConfiguration(LeaseEvents.class).run((context) -> {
			PgqueListenerContainerFactory factory = context.getBean(PgqueListenerContainerFactory.class);
			for (int round = 0; round < WARM_UP_ROUNDS + ROUNDS; round++) {
				double rawRate = receiveAckLoop("raw" + round);
				double pgqRate = pgqLoop("pgq" + round);
				double listenerRate = listener(factory, "listener" + round);
				System.out.printf(
						"round %d: receive/ack %,10.0f events/s, PgQ loop %,10.0f events/s, listener %,10.0f events/s%s%n",
						round, rawRate, pgqRate, listenerRate,
						(round < WARM_UP_ROUNDS) ? " (warm-up, not counted)" : "");
				if (round >= WARM_UP_ROUNDS) {
					raw.add(rawRate);
					pgq.add(pgqRate);
					listener.add(listenerRate);
				}
			}
			// both at once, so that load from elsewhere hits both alike
			double[] rawRate = new double[1];
			Thread rawThread = new Thread(() -> {
				try {
					rawRate[0] = receiveAckLoop("raw" + SIDE_BY_SIDE);
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
			rawThread.start();
			double listenerRate = listener(factory, "listener" + SIDE_BY_SIDE);
			rawThread.join();
			System.out.printf("side by side: receive/ack %,10.0f events/s, listener %,10.0f events/s (%.0f %%)%n",
					rawRate[0], listenerRate, 100 * listenerRate / rawRate[0]);
		});
		Rates receiveAck = new Rates(raw);
		Rates pgqLoop = new Rates(pgq);
		Rates container = new Rates(listener);
		System.out.printf("receive/ack loop: best %,10.0f events/s, median %,10.0f events/s%n", receiveAck.best,
				receiveAck.median);
		System.out.printf("PgQ loop:         best %,10.0f events/s, median %,10.0f events/s%n", pgqLoop.best,
				pgqLoop.median);
		System.out.printf("@PgqueListener:   best %,10.0f events/s, median %,10.0f events/s%n", container.best,
				container.median);
		System.out.printf("listener / receive-ack loop: best %.0f %%, median %.0f %%%n",
				100 * container.best / receiveAck.best, 100 * container.median / receiveAck.median);
		System.out.printf("listener / PgQ loop:         best %.0f %%, median %.0f %%%n",
				100 * container.best / pgqLoop.best, 100 * container.median / pgqLoop.median);
	}

	private double receiveAckLoop(String consumer) throws Exception {
		return drain((con) -> {
			long count = 0;
			try (PreparedStatement receive = con.prepareStatement("""
					SELECT msg_id, batch_id, type, payload, retry_count, created_at, extra1, extra2, extra3, extra4
					FROM pgque.receive(?, ?, NULL)""");
					PreparedStatement ack = con.prepareStatement("SELECT pgque.ack(?)")) {
				while (true) {
					receive.setString(1, QUEUE);
					receive.setString(2, consumer);
					long batchId = -1;
					try (ResultSet rs = receive.executeQuery()) {
						while (rs.next()) {
							rs.getLong(1);
							batchId = rs.getLong(2);
							rs.getString(3);
							rs.getString(4);
							rs.getInt(5);
							rs.getObject(6, OffsetDateTime.class);
							for (int column = 7; column <= 10; column++) {
								rs.getString(column);
							}
							count++;
						}
					}
					if (batchId < 0) {
						// no batch (every batch of this benchmark holds events)
						con.commit();
						break;
					}
					ack.setLong(1, batchId);
					ack.executeQuery().close();
					con.commit();
				}
			}
			return count;
		});
	}

	private double pgqLoop(String consumer) throws Exception {
		return drain((con) -> PgqDrainLoop.drain(con, "pgque", QUEUE, consumer));
	}

	// Runs a loop on a connection of its own, timed from when the connection is open.
	private double drain(Loop loop) throws Exception {
		try (Connection con = db.newConnection()) {
			con.setAutoCommit(false);
			long started = System.nanoTime();
			long count = loop.drain(con);
			double seconds = (System.nanoTime() - started) / 1e9;
			assertThat(count).isEqualTo(TOTAL);
			return count / seconds;
		}
	}

	@FunctionalInterface
	private interface Loop {

		long drain(Connection connection) throws Exception;

	}

	// From the moment the container holds its lease (start-up excluded, as the raw loop's
	// connection set-up is) to the last event handled.
	private double listener(PgqueListenerContainerFactory factory, String consumer) throws Exception {
		NoOpListener listener = new NoOpListener();
		Method method = NoOpListener.class.getDeclaredMethod("on", String.class);
		PgqueListenerContainer container = factory
			.createContainer(List.of(PgqueListenerEndpoint.of(listener, method, QUEUE, consumer)));
		container.start();
		// a latch, not polling: the benchmark should not compete with what it measures
		assertThat(listener.done.await(5, TimeUnit.MINUTES)).as("all events handled").isTrue();
		container.stop();
		double seconds = (listener.finishedAt - leaseAcquiredAt.get(container.getId())) / 1e9;
		return TOTAL / seconds;
	}

	private static final class Rates {

		private final double best;

		private final double median;

		Rates(List<Double> rounds) {
			List<Double> sorted = new ArrayList<>(rounds);
			Collections.sort(sorted);
			this.best = sorted.get(sorted.size() - 1);
			this.median = sorted.get(sorted.size() / 2);
		}

	}

	/**
	 * The no-op listener: counts, and notes when the last event came.
	 */
	static class NoOpListener {

		private long handled;

		private final CountDownLatch done = new CountDownLatch(1);

		private volatile long finishedAt;

		void on(String payload) {
			if (++this.handled == TOTAL) {
				this.finishedAt = System.nanoTime();
				this.done.countDown();
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LeaseEvents {

		@EventListener
		void on(PgqueListenerContainerEvent event) {
			if (event.getKind() == PgqueListenerContainerEvent.Kind.LEASE_ACQUIRED) {
				leaseAcquiredAt.putIfAbsent(event.getContainer().getId(), System.nanoTime());
			}
		}

	}

}
