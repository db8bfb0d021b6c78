package io.pgque.benchmarks;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.pgque.spring.config.PgqueListenerContainerFactory;
import io.pgque.spring.config.PgqueListenerEndpoint;
import io.pgque.spring.core.PgqueTemplate;
import io.pgque.spring.listener.PgqueListenerContainer;
import io.pgque.spring.listener.PgqueListenerContainerEvent;

import org.springframework.context.ApplicationListener;

/**
 * A no-op listener container draining a preloaded queue against a raw loop of
 * {@code receive} (every column read), {@code ack} and commit. Each side reads with a
 * consumer of its own; the listener is timed from its lease to its last event, the loop
 * from its first statement to its last commit.
 */
final class ListenerDrainBenchmark implements ApplicationListener<PgqueListenerContainerEvent> {

	private static final String QUEUE = "bench_drain";

	private static final int BATCHES = 200;

	private static final int BATCH_SIZE = 500;

	private static final long TOTAL = (long) BATCHES * BATCH_SIZE;

	private static final String RECEIVE = "SELECT msg_id, batch_id, type, payload, retry_count, created_at,"
			+ " extra1, extra2, extra3, extra4 FROM pgque.receive(?, ?, ?)";

	private final Map<String, Long> leaseAt = new ConcurrentHashMap<>();

	private @SuppressWarnings("NullAway.Init") PgqueTemplate template;

	private @SuppressWarnings("NullAway.Init") DataSource dataSource;

	private @SuppressWarnings("NullAway.Init") PgqueListenerContainerFactory factory;

	void use(PgqueTemplate template, DataSource dataSource, PgqueListenerContainerFactory factory) {
		this.template = template;
		this.dataSource = dataSource;
		this.factory = factory;
	}

	@Override
	public void onApplicationEvent(PgqueListenerContainerEvent event) {
		if (event.getKind() == PgqueListenerContainerEvent.Kind.LEASE_ACQUIRED) {
			this.leaseAt.putIfAbsent(event.getContainer().getId(), System.nanoTime());
		}
	}

	void run(int rounds, String payload) throws Exception {
		this.template.createQueue(QUEUE);
		int warmUps = 2;
		for (int round = 0; round < warmUps + rounds; round++) {
			this.template.subscribe(QUEUE, "raw" + round);
			this.template.subscribe(QUEUE, "listener" + round);
		}
		List<String> payloads = Collections.nCopies(BATCH_SIZE, payload);
		try (Connection connection = this.dataSource.getConnection()) {
			for (int i = 0; i < BATCHES; i++) {
				this.template.sendBatch(QUEUE, "order-placed", payloads);
				this.template.forceTick(QUEUE);
			}
			connection.createStatement().execute("VACUUM (ANALYZE)");
		}
		System.out.printf("%nListener drain, %,d preloaded events in batches of %d, no-op handler%n", TOTAL,
				BATCH_SIZE);
		Rounds result = new Rounds();
		for (int round = 0; round < warmUps + rounds; round++) {
			double raw = rawLoop("raw" + round);
			double listener = listener("listener" + round);
			if (round >= warmUps) {
				result.add(listener, raw);
			}
		}
		System.out.println(result.line("@PgqueListener container", "receive/ack loop", "ev/s"));
	}

	private double rawLoop(String consumer) throws Exception {
		try (Connection connection = this.dataSource.getConnection();
				PreparedStatement receive = connection.prepareStatement(RECEIVE);
				PreparedStatement ack = connection.prepareStatement("SELECT pgque.ack(?)")) {
			connection.setAutoCommit(false);
			return Rounds.rate(TOTAL, () -> {
				long read = 0;
				while (read < TOTAL) {
					receive.setString(1, QUEUE);
					receive.setString(2, consumer);
					receive.setInt(3, BATCH_SIZE * 2);
					long batch = -1;
					try (ResultSet rs = receive.executeQuery()) {
						while (rs.next()) {
							batch = rs.getLong(2);
							rs.getLong(1);
							rs.getString(3);
							rs.getString(4);
							rs.getInt(5);
							rs.getTimestamp(6);
							rs.getString(7);
							rs.getString(8);
							rs.getString(9);
							rs.getString(10);
							read++;
						}
					}
					if (batch < 0) {
						throw new IllegalStateException("queue drained after " + read + " events, expected " + TOTAL);
					}
					ack.setLong(1, batch);
					ack.execute();
					connection.commit();
				}
			});
		}
	}

	private double listener(String consumer) throws Exception {
		NoOpHandler handler = new NoOpHandler();
		Method method = NoOpHandler.class.getDeclaredMethod("on", String.class);
		PgqueListenerContainer container = this.factory
			.createContainer(List.of(PgqueListenerEndpoint.of(handler, method, QUEUE, consumer)));
		container.start();
		try {
			if (!handler.done.await(5, TimeUnit.MINUTES)) {
				throw new IllegalStateException("listener handled " + handler.handled + " of " + TOTAL + " events");
			}
		}
		finally {
			container.stop();
		}
		Long started = this.leaseAt.get(container.getId());
		if (started == null) {
			throw new IllegalStateException("no lease event for " + container.getId());
		}
		return TOTAL / ((handler.finishedAt - started) / 1e9);
	}

	/**
	 * Counts, and notes when the last event came.
	 */
	static final class NoOpHandler {

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

}
