package io.pgque.spring.ticker;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.autoconfigure.PgqueAutoConfiguration;
import io.pgque.spring.autoconfigure.PgqueTickerAutoConfiguration;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.listener.PgqueListenerContainerRegistry;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End-to-end latency (send committed → consumer has the event) with the embedded ticker
 * and a consumer woken by the ticker's NOTIFY: a session of its own that LISTENs on
 * {@code pgque_<queue>} and, on each notification, takes and finishes the batch. Events
 * are sent at a steady 50 per second.
 * <p>
 * Run with
 * {@code -Dgroups=benchmark -DexcludedGroups=none -Dtest=PgqueTickerLatencyBenchmark}.
 */
@Tag("benchmark")
class PgqueTickerLatencyBenchmark {

	private static final int EVENTS_PER_SECOND = 50;

	private static final Duration WARM_UP = Duration.ofSeconds(1);

	private static final Duration MEASURED = Duration.ofSeconds(10);

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final TickerSql sql = new TickerSql(db.jdbc());

	@Test
	void endToEndLatencyWithNotifyWakeUp() throws Exception {
		List<String> report = new ArrayList<>();
		report.add(measureWithListener("bench_listener_100", Duration.ofMillis(100)));
		report.add(measureWithListener("bench_listener_20", Duration.ofMillis(20)));
		report.add(measure("bench_100", Duration.ofMillis(100), 1));
		report.add(measure("bench_20", Duration.ofMillis(20), 1));
		// PgQ's default thresholds: a tick only every 500 events or 3 s
		report.add(measure("bench_defaults", Duration.ofMillis(100), 500));
		System.out.println();
		System.out.println("End-to-end latency, " + EVENTS_PER_SECOND + " events/s, NOTIFY wake-up, "
				+ MEASURED.toSeconds() + " s measured per row");
		report.forEach(System.out::println);
	}

	private String measureWithListener(String queue, Duration tickPeriod) throws Exception {
		this.sql.createQueue(queue, "bench");
		List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
		PgqueTickerListenerIntegrationTests.contextRunner(db)
			.withPropertyValues("pgque.ticker.tick-period=" + tickPeriod.toMillis() + "ms", "bench.queue=" + queue)
			.withUserConfiguration(BenchListener.class)
			.run((context) -> {
				PgqueTickerDeliveryIntegrationTests.awaitLeader(context.getBean(PgqueTicker.class));
				org.awaitility.Awaitility.await()
					.atMost(Duration.ofSeconds(10))
					.until(() -> context.getBean(PgqueListenerContainerRegistry.class)
						.getRequiredListenerContainer(queue + "/bench")
						.hasLease());
				BenchListener listener = context.getBean(BenchListener.class);
				Map<Long, Long> committedAt = new ConcurrentHashMap<>();
				produce(queue, committedAt, latencies);
				Thread.sleep(3500);
				committedAt.forEach((id, committed) -> {
					Long invoked = listener.invokedAt.get(id);
					if (invoked != null) {
						latencies.add(invoked - committed);
					}
				});
			});
		Collections.sort(latencies);
		assertThat(latencies).isNotEmpty();
		return row("@PgqueListener ", tickPeriod, 1, latencies);
	}

	private String measure(String queue, Duration tickPeriod, int tickerMaxCount) throws Exception {
		this.sql.createQueue(queue, "bench");
		db.jdbc()
			.update("UPDATE pgque.queue SET queue_ticker_max_count = ? WHERE queue_name = ?", tickerMaxCount, queue);
		List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgqueAutoConfiguration.class,
					PgqueTickerAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + db.jdbcUrl(), "spring.datasource.username=" + db.user(),
					"spring.datasource.password=" + db.password(), "pgque.schema.mode=none",
					"pgque.ticker.tick-period=" + tickPeriod.toMillis() + "ms")
			.run((context) -> {
				PgqueTickerDeliveryIntegrationTests.awaitLeader(context.getBean(PgqueTicker.class));
				Map<Long, Long> committedAt = new ConcurrentHashMap<>();
				AtomicBoolean consuming = new AtomicBoolean(true);
				Thread consumer = new Thread(() -> consume(queue, committedAt, latencies, consuming), "bench-consumer");
				consumer.start();
				produce(queue, committedAt, latencies);
				Thread.sleep(3500);
				consuming.set(false);
				consumer.join();
			});
		Collections.sort(latencies);
		assertThat(latencies).isNotEmpty();
		return row("own LISTEN loop", tickPeriod, tickerMaxCount, latencies);
	}

	private static String row(String consumer, Duration tickPeriod, int tickerMaxCount, List<Long> latencies) {
		return String.format(
				"%s, tick period %4d ms, ticker_max_count %3d: p50 %6.1f ms, p95 %6.1f ms, "
						+ "p99 %6.1f ms, max %6.1f ms (%d events)",
				consumer, tickPeriod.toMillis(), tickerMaxCount, percentile(latencies, 50), percentile(latencies, 95),
				percentile(latencies, 99), percentile(latencies, 100), latencies.size());
	}

	private void produce(String queue, Map<Long, Long> committedAt, List<Long> latencies) throws Exception {
		double meanInterval = Duration.ofSeconds(1).toNanos() / (double) EVENTS_PER_SECOND;
		long start = System.nanoTime();
		long end = start + WARM_UP.plus(MEASURED).toNanos();
		try (Connection connection = db.newConnection();
				PreparedStatement send = connection.prepareStatement("SELECT pgque.insert_event(?, 'default', 'x')")) {
			send.setString(1, queue);
			// Poisson arrivals: a fixed interval would lock onto the tick period's phase
			for (long next = start; next < end; next += (long) (-meanInterval
					* Math.log(1 - ThreadLocalRandom.current().nextDouble()))) {
				long wait = next - System.nanoTime();
				if (wait > 0) {
					Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
				}
				try (ResultSet rows = send.executeQuery()) {
					rows.next();
					long id = rows.getLong(1);
					// autocommit: the event is committed when the statement returns
					if (next - start >= WARM_UP.toNanos()) {
						committedAt.put(id, System.nanoTime());
					}
				}
			}
		}
	}

	private void consume(String queue, Map<Long, Long> committedAt, List<Long> latencies, AtomicBoolean consuming) {
		try (Connection connection = db.newConnection()) {
			try (Statement listen = connection.createStatement()) {
				listen.execute("LISTEN pgque_" + queue);
			}
			PGConnection notifications = connection.unwrap(PGConnection.class);
			while (consuming.get()) {
				// woken by the tick's NOTIFY; the timeout is only a fallback
				notifications.getNotifications(500);
				while (drainOneBatch(connection, queue, committedAt, latencies)) {
					// until the consumer is at the newest tick
				}
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private boolean drainOneBatch(Connection connection, String queue, Map<Long, Long> committedAt,
			List<Long> latencies) throws SQLException {
		Long batch;
		try (PreparedStatement next = connection.prepareStatement("SELECT pgque.next_batch(?, 'bench')")) {
			next.setString(1, queue);
			try (ResultSet rows = next.executeQuery()) {
				rows.next();
				long id = rows.getLong(1);
				batch = rows.wasNull() ? null : id;
			}
		}
		if (batch == null) {
			return false;
		}
		try (PreparedStatement events = connection.prepareStatement("SELECT ev_id FROM pgque.get_batch_events(?)")) {
			events.setLong(1, batch);
			try (ResultSet rows = events.executeQuery()) {
				long now = System.nanoTime();
				while (rows.next()) {
					Long committed = committedAt.remove(rows.getLong(1));
					if (committed != null) {
						latencies.add(now - committed);
					}
				}
			}
		}
		try (PreparedStatement finish = connection.prepareStatement("SELECT pgque.finish_batch(?)")) {
			finish.setLong(1, batch);
			finish.execute();
		}
		return true;
	}

	@Configuration(proxyBeanMethods = false)
	static class BenchListener {

		final Map<Long, Long> invokedAt = new ConcurrentHashMap<>();

		@PgqueListener(queue = "${bench.queue}", consumer = "bench")
		void on(PgqueMessage message) {
			this.invokedAt.put(message.id(), System.nanoTime());
		}

	}

	private static double percentile(List<Long> sortedNanos, int percentile) {
		int index = (int) Math.ceil(percentile / 100.0 * sortedNanos.size()) - 1;
		return sortedNanos.get(Math.max(0, Math.min(index, sortedNanos.size() - 1))) / 1_000_000.0;
	}

}
