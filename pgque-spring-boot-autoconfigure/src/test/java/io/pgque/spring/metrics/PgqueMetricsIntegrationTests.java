package io.pgque.spring.metrics;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgque.spring.convert.PgqueTextPayloadConverter;
import io.pgque.spring.convert.PgqueTypeMapper;
import io.pgque.spring.core.PgqueTemplate;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

class PgqueMetricsIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	@Test
	void gaugesShowQueuesConsumersAndDeadLetters() {
		db.jdbc().queryForObject("SELECT pgque.create_queue('metered')", Integer.class);
		db.jdbc().queryForObject("SELECT pgque.subscribe('metered', 'billing')", Integer.class);
		for (int i = 0; i < 5; i++) {
			db.jdbc().queryForObject("SELECT pgque.send('metered', 'payload-' || ?::text)", Long.class, i);
		}
		long expectedNew = db.jdbc().queryForObject("SELECT ev_new FROM pgque.get_queue_info('metered')", Long.class);
		PgqueMetrics metrics = new PgqueMetrics(
				new PgqueTemplate(db.dataSource(), new PgqueTextPayloadConverter(PgqueTypeMapper.simpleNames())),
				Duration.ofHours(1));
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		PgqueMetrics.Gauges gauges = new PgqueMetrics.Gauges(registry);
		// make the lags tell: the queue's ticks, and so the consumer's cursor, 30 s old
		db.jdbc()
			.update("UPDATE pgque.tick SET tick_time = tick_time - interval '30 seconds'"
					+ " WHERE tick_queue = (SELECT queue_id FROM pgque.queue WHERE queue_name = 'metered')");
		metrics.refresh(gauges);
		assertThat(expectedNew).isPositive();
		assertThat(registry.get("pgque.queue.ticker.lag").tag("queue", "metered").gauge().value())
			.isGreaterThanOrEqualTo(30);
		assertThat(registry.get("pgque.queue.events.new").tag("queue", "metered").gauge().value())
			.isEqualTo(expectedNew);
		assertThat(registry.get("pgque.queue.dead.letters").tag("queue", "metered").gauge().value()).isZero();
		assertThat(registry.get("pgque.consumer.lag").tags("queue", "metered", "consumer", "billing").gauge().value())
			.isGreaterThanOrEqualTo(30);
		assertThat(
				registry.get("pgque.consumer.pending").tags("queue", "metered", "consumer", "billing").gauge().value())
			.isZero();
	}

	@Test
	void tickCounterFollowsTheQueuesTicksByAnyTicker() {
		db.jdbc().queryForObject("SELECT pgque.create_queue('ticking')", Integer.class);
		PgqueMetrics metrics = new PgqueMetrics(
				new PgqueTemplate(db.dataSource(), new PgqueTextPayloadConverter(PgqueTypeMapper.simpleNames())),
				Duration.ofHours(1));
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		PgqueMetrics.Gauges gauges = new PgqueMetrics.Gauges(registry);
		metrics.refresh(gauges);
		double before = registry.get("pgque.queue.ticks").tag("queue", "ticking").functionCounter().count();
		for (int i = 0; i < 3; i++) {
			db.jdbc().queryForObject("SELECT pgque.force_next_tick('ticking')", Long.class);
			db.jdbc().queryForObject("SELECT pgque.ticker('ticking')", Long.class);
		}
		metrics.refresh(gauges);
		assertThat(registry.get("pgque.queue.ticks").tag("queue", "ticking").functionCounter().count())
			.isEqualTo(before + 3);
	}

	@Test
	void bindToRefreshesInTheBackgroundAndStopsOnDestroy() throws Exception {
		db.jdbc().queryForObject("SELECT pgque.create_queue('bound')", Integer.class);
		PgqueMetrics metrics = new PgqueMetrics(
				new PgqueTemplate(db.dataSource(), new PgqueTextPayloadConverter(PgqueTypeMapper.simpleNames())),
				Duration.ofMillis(50));
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		Set<Thread> others = refreshThreads();
		metrics.bindTo(registry);
		Set<Thread> ours = refreshThreads();
		ours.removeAll(others);
		assertThat(ours).hasSize(1);
		try {
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (registry.find("pgque.queue.ticker.lag").tag("queue", "bound").gauge() == null
					&& System.nanoTime() < deadline) {
				Thread.sleep(20);
			}
			assertThat(registry.find("pgque.queue.ticker.lag").tag("queue", "bound").gauge()).isNotNull();
		}
		finally {
			metrics.destroy();
		}
		// the refresh thread ends, and a queue created afterwards gets no gauge
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		Thread refresher = ours.iterator().next();
		refresher.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
		assertThat(refresher.isAlive()).isFalse();
		db.jdbc().queryForObject("SELECT pgque.create_queue('after_destroy')", Integer.class);
		Thread.sleep(300);
		assertThat(registry.find("pgque.queue.ticker.lag").tag("queue", "after_destroy").gauge()).isNull();
	}

	private static Set<Thread> refreshThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().equals("pgque-metrics"))
			.collect(Collectors.toCollection(HashSet::new));
	}

}
