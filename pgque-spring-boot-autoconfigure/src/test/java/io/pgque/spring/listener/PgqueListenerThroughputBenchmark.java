package io.pgque.spring.listener;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.util.concurrent.atomic.AtomicLong;

import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drains 200,000 preloaded events (400 batches of 500) through a no-op
 * {@code @PgqueListener} and, over the same batches, through a raw SQL loop
 * ({@code next_batch}, {@code get_batch_events} reading every column,
 * {@code finish_batch}, commit) on one connection, and prints both rates. The raw loop
 * runs before and after the listener (two consumers of the same batches); both sides
 * first drain a 30,000-event warm-up queue.
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

	private static final String WARM_UP = "warm";

	private static final int WARM_UP_BATCHES = 60;

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	static final AtomicLong handled = new AtomicLong();

	static final AtomicLong warmedUp = new AtomicLong();

	private final ListenerTestSupport support = new ListenerTestSupport(db);

	@Test
	void drainPreloadedEvents() throws Exception {
		// the same work on a small queue first, so that both sides run JIT-compiled code
		preload(WARM_UP, WARM_UP_BATCHES);
		long loading = System.nanoTime();
		preload(QUEUE, BATCHES);
		System.out.printf("preloaded %,d events in %d ms%n", TOTAL, (System.nanoTime() - loading) / 1_000_000);
		// set hint bits and statistics now, or the first reader pays for them
		db.jdbc().execute("VACUUM (ANALYZE)");
		rawLoop(WARM_UP, "raw", WARM_UP_BATCHES * BATCH_SIZE);
		double raw = rawLoop(QUEUE, "raw", TOTAL);
		double listener = listener();
		double rawAfter = rawLoop(QUEUE, "raw2", TOTAL);
		System.out.printf("raw SQL loop:      %,10.0f events/s (before), %,10.0f events/s (after the listener)%n", raw,
				rawAfter);
		raw = (raw + rawAfter) / 2;
		System.out.printf("@PgqueListener:    %,10.0f events/s (%.0f %% of the raw loop's mean)%n", listener,
				100 * listener / raw);
	}

	private void preload(String queue, int batches) {
		this.support.createQueue(queue);
		for (String consumer : new String[] { "raw", "listener", "raw2" }) {
			this.support.subscribe(queue, consumer);
		}
		for (int i = 0; i < batches; i++) {
			this.support.insertMany(queue, "bench", "{\"n\":", BATCH_SIZE);
			this.support.tick(queue);
		}
	}

	private double rawLoop(String queue, String consumer, int expected) throws Exception {
		long count = 0;
		long started = System.nanoTime();
		try (Connection con = db.newConnection()) {
			con.setAutoCommit(false);
			try (PreparedStatement next = con.prepareStatement("SELECT pgque.next_batch(?, ?)");
					PreparedStatement events = con.prepareStatement(
							"""
									SELECT ev_id, ev_time, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
									FROM pgque.get_batch_events(?) ORDER BY ev_id""");
					PreparedStatement finish = con.prepareStatement("SELECT pgque.finish_batch(?)")) {
				while (true) {
					next.setString(1, queue);
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
		assertThat(count).isEqualTo(expected);
		return count / seconds;
	}

	private double listener() {
		double[] rate = new double[1];
		this.support.contextRunner()
			.withPropertyValues("pgque.listener.auto-startup=false")
			.withUserConfiguration(NoOpListener.class)
			.run((context) -> {
				PgqueListenerContainerRegistry registry = context.getBean(PgqueListenerContainerRegistry.class);
				registry.start("warm/listener");
				while (warmedUp.get() < WARM_UP_BATCHES * BATCH_SIZE) {
					Thread.sleep(1);
				}
				PgqueListenerContainer container = registry.getRequiredListenerContainer("bench/listener");
				handled.set(0);
				long started = System.nanoTime();
				container.start();
				while (handled.get() < TOTAL) {
					Thread.sleep(1);
				}
				double seconds = (System.nanoTime() - started) / 1e9;
				rate[0] = TOTAL / seconds;
			});
		return rate[0];
	}

	@Configuration(proxyBeanMethods = false)
	static class NoOpListener {

		@PgqueListener(queue = "bench", consumer = "listener")
		void on(String payload) {
			handled.incrementAndGet();
		}

		@PgqueListener(queue = "warm", consumer = "listener")
		void warmUp(String payload) {
			warmedUp.incrementAndGet();
		}

	}

}
