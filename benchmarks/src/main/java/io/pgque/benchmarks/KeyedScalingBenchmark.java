package io.pgque.benchmarks;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import io.pgque.spring.config.PgqueListenerContainerFactory;
import io.pgque.spring.config.PgqueListenerEndpoint;
import io.pgque.spring.core.PgqueTemplate;
import io.pgque.spring.listener.PgqueListenerContainer;
import io.pgque.spring.listener.PgqueOrdering;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keyed workers ({@code ordering = KEY}): a handler that sleeps 10 ms per event drains a
 * preloaded queue of keyed events with 1, 2, 4 and 8 workers sharing 16 slots; prints
 * events/s against the ideal (workers x one keyed worker's rate). Then the read cost of
 * slots: the same events drained with raw SQL by one plain consumer ({@code receive} /
 * {@code ack}) and by a keyed consumer of N slots ({@code receive_partitioned} /
 * {@code ack_partitioned} over every slot), each slot reading the whole stream; prints
 * microseconds per event and the ratio to the plain consumer.
 */
final class KeyedScalingBenchmark {

	private static final int EVENTS = 2_000;

	private static final int PER_TICK = 50;

	private static final int KEYS = 256;

	private static final int SLOTS = 16;

	private static final long SLEEP_MILLIS = 10;

	private static final int READ_EVENTS = 20_000;

	private final PgqueTemplate template;

	private final PgqueListenerContainerFactory factory;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private int runs;

	KeyedScalingBenchmark(PgqueTemplate template, PgqueListenerContainerFactory factory, DataSource dataSource) {
		this.template = template;
		this.factory = factory;
		this.jdbc = new JdbcTemplate(dataSource);
		this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
	}

	void run() throws Exception {
		System.out.printf("%nKeyed workers, %,d preloaded events of %d keys (a tick per %d), %d slots, handler"
				+ " sleeping %d ms per event%n", EVENTS, KEYS, PER_TICK, SLOTS, SLEEP_MILLIS);
		// warm-up
		drain(2);
		double single = drain(1);
		System.out.println(line("keyed concurrency 1", 1, single, single));
		for (int workers : new int[] { 2, 4, 8 }) {
			System.out.println(line("keyed concurrency " + workers, workers, drain(workers), single));
		}
		System.out.printf("%nRead cost of slots: %,d preloaded events (a tick per 1,000), no-op handling, raw SQL%n",
				READ_EVENTS);
		double plain = readPlain();
		System.out.printf("%-34s %8.2f us/event | ratio 1.00%n", "one plain consumer", plain);
		for (int slots : new int[] { 1, 4, 16, 64 }) {
			double keyed = readSlots(slots);
			System.out.printf("%-34s %8.2f us/event | ratio %.2f%n", "keyed consumer, " + slots + " slots", keyed,
					keyed / plain);
		}
	}

	private static String line(String name, int workers, double rate, double single) {
		double ideal = workers * single;
		return String.format("%-34s %,8.0f ev/s | ideal %,8.0f ev/s | ratio %.2f", name, rate, ideal, rate / ideal);
	}

	private double drain(int concurrency) throws Exception {
		String queue = "bench_keyed_" + (++this.runs);
		String consumer = "sleeper";
		this.template.createQueue(queue);
		this.jdbc.queryForObject("SELECT pgque.subscribe_slots(?, ?, ?)", Integer.class, queue, consumer, SLOTS);
		preload(queue, EVENTS, PER_TICK);
		SleepingHandler handler = new SleepingHandler(EVENTS, SLEEP_MILLIS);
		Method method = SleepingHandler.class.getDeclaredMethod("on", String.class);
		PgqueListenerContainer container = this.factory
			.createContainer(List.of(new PgqueListenerEndpoint(handler, method, queue, consumer, queue, null, Set.of(),
					null, null, null, null, null, null, concurrency, PgqueOrdering.KEY, SLOTS)));
		long started = System.nanoTime();
		container.start();
		try {
			return handler.awaitRate(started);
		}
		finally {
			container.stop();
		}
	}

	// events of KEYS keys, round-robin, with a tick every perTick events
	private void preload(String queue, int events, int perTick) {
		List<Integer> keys = new ArrayList<>(Collections.nCopies(perTick, 0));
		for (int sent = 0; sent < events; sent += perTick) {
			int first = sent;
			for (int i = 0; i < perTick; i++) {
				keys.set(i, first + i);
			}
			this.template.sendKeyedBatch(queue, keys, (n) -> "key-" + (n % KEYS));
			this.template.forceTick(queue);
		}
	}

	private double readPlain() {
		String queue = "bench_read_" + (++this.runs);
		this.template.createQueue(queue);
		this.template.subscribe(queue, "plain");
		preload(queue, READ_EVENTS, 1000);
		long started = System.nanoTime();
		int read = 0;
		while (read < READ_EVENTS) {
			Integer got = this.transactions.execute((status) -> {
				List<Long> batch = this.jdbc.queryForList("SELECT batch_id FROM pgque.receive(?, 'plain', 2147483647)",
						Long.class, queue);
				if (!batch.isEmpty()) {
					this.jdbc.queryForObject("SELECT pgque.ack(?)", Integer.class, batch.get(0));
				}
				return batch.size();
			});
			read += (got != null) ? got : 0;
		}
		return (System.nanoTime() - started) / 1e3 / READ_EVENTS;
	}

	private double readSlots(int slots) {
		String queue = "bench_read_" + (++this.runs);
		this.template.createQueue(queue);
		this.jdbc.queryForObject("SELECT pgque.subscribe_slots(?, 'keyed', ?)", Integer.class, queue, slots);
		for (int slot = 0; slot < slots; slot++) {
			this.jdbc.queryForObject("SELECT pgque.claim_slot(?, 'keyed', ?, 'reader', '1 hour')", Long.class, queue,
					slot);
		}
		preload(queue, READ_EVENTS, 1000);
		long started = System.nanoTime();
		int read = 0;
		while (read < READ_EVENTS) {
			for (int slot = 0; slot < slots; slot++) {
				int current = slot;
				Integer got = this.transactions.execute((status) -> {
					int rows = this.jdbc
						.queryForList("SELECT msg_id FROM pgque.receive_partitioned(?, 'keyed', ?, ?, 'reader',"
								+ " 2147483647)", Long.class, queue, current, slots)
						.size();
					if (rows > 0) {
						this.jdbc.queryForObject("SELECT pgque.ack_partitioned(?, 'keyed', ?, ?, 'reader')",
								Integer.class, queue, current, slots);
					}
					return rows;
				});
				read += (got != null) ? got : 0;
			}
		}
		return (System.nanoTime() - started) / 1e3 / READ_EVENTS;
	}

}
