package io.pgque.spring.engine.api;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.pgque.spring.engine.api.ApiSql.Message;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Eight threads consume one (queue, consumer) while a producer sends and ticks; each
 * thread runs receive then ack in ONE transaction per batch. The receive lock must make
 * every event arrive exactly once, with no errors.
 */
class ReceiveStressIntegrationTests {

	private static final int THREADS = 8;

	private static final int EVENTS = 10_000;

	private static final int CHUNK = 100;

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApiSql api = new ApiSql(db.jdbc());

	@Test
	void everyEventIsDeliveredExactlyOnceToConcurrentReceivers() throws Exception {
		this.api.createQueue("stress");
		this.api.subscribe("stress", "worker");
		Map<Long, Integer> deliveries = new ConcurrentHashMap<>();
		List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
		AtomicBoolean produced = new AtomicBoolean();
		AtomicInteger batches = new AtomicInteger();
		AtomicInteger emptyReceives = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
		long start = System.nanoTime();
		try {
			Future<?> producer = pool.submit(() -> {
				try {
					for (int sent = 0; sent < EVENTS; sent += CHUNK) {
						db.jdbc()
							.queryForObject("SELECT pgque.send_batch('stress', ARRAY(SELECT 'e' || i"
									+ " FROM generate_series(?, ?) i))", Object.class, sent + 1, sent + CHUNK);
						this.api.tick("stress");
					}
				}
				catch (Throwable ex) {
					errors.add(ex);
				}
				finally {
					produced.set(true);
				}
			});
			List<Future<?>> consumers = IntStream.range(0, THREADS).<Future<?>>mapToObj((n) -> pool.submit(() -> {
				while (errors.isEmpty() && (deliveries.size() < EVENTS || !produced.get())) {
					try (Connection connection = db.dataSource().getConnection()) {
						connection.setAutoCommit(false);
						try {
							List<Message> batch = ApiSql.receive(connection, "stress", "worker");
							if (!batch.isEmpty()) {
								ApiSql.ack(connection, batch.get(0).batchId());
							}
							connection.commit();
							batch.forEach((message) -> deliveries.merge(message.msgId(), 1, Integer::sum));
							if (batch.isEmpty()) {
								emptyReceives.incrementAndGet();
								Thread.sleep(2);
							}
							else {
								batches.incrementAndGet();
							}
						}
						catch (Throwable ex) {
							connection.rollback();
							throw ex;
						}
					}
					catch (Throwable ex) {
						errors.add(ex);
					}
				}
			})).toList();
			producer.get(5, TimeUnit.MINUTES);
			for (Future<?> consumer : consumers) {
				consumer.get(5, TimeUnit.MINUTES);
			}
		}
		finally {
			pool.shutdownNow();
		}
		long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
		System.out.printf(
				"receive stress: %d events, %d threads, %d batches, %d empty receives, %d ms, %.0f events/s%n", EVENTS,
				THREADS, batches.get(), emptyReceives.get(), millis, EVENTS * 1000.0 / Math.max(millis, 1));

		assertThat(errors).isEmpty();
		assertThat(deliveries).hasSize(EVENTS);
		assertThat(deliveries.values()).containsOnly(1);
		// Nothing left over, and the ids are exactly the ones sent.
		List<Long> sent = db.jdbc().queryForList("SELECT ev_id FROM pgque.event_template", Long.class);
		assertThat(deliveries.keySet()).containsExactlyInAnyOrderElementsOf(sent);
		this.api.tick("stress");
		assertThat(this.api.receive("stress", "worker")).isEmpty();
	}

}
