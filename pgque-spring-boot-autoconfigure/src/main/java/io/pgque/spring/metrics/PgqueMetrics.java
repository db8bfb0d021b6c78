package io.pgque.spring.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.MultiGauge.Row;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.pgque.spring.core.PgqueAdminOperations;
import io.pgque.spring.core.PgqueConsumerInfo;
import io.pgque.spring.core.PgqueQueueInfo;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;

/**
 * Gauges of the engine's state, read through {@link PgqueAdminOperations} by one
 * background refresh every {@code refreshInterval} (never on a scrape, so a slow database
 * cannot stall the metrics endpoint):
 * <ul>
 * <li>{@code pgque.queue.events.new} — events sent but not yet covered by a tick;</li>
 * <li>{@code pgque.queue.ticker.lag} — seconds since the queue's last tick;</li>
 * <li>{@code pgque.queue.dead.letters} — rows in the dead-letter queue;</li>
 * <li>{@code pgque.consumer.lag} — seconds the consumer's cursor is behind;</li>
 * <li>{@code pgque.consumer.pending} — events between the cursor and the newest
 * tick;</li>
 * <li>{@code pgque.queue.ticks} — a counter of the queue's ticks, by any ticker (its
 * newest tick id: tick ids count up per queue).</li>
 * </ul>
 *
 * @author pgque-spring-boot authors
 */
public class PgqueMetrics implements MeterBinder, DisposableBean {

	private static final Log logger = LogFactory.getLog(PgqueMetrics.class);

	private final PgqueAdminOperations admin;

	private final Duration refreshInterval;

	private final ThreadFactory threadFactory;

	private @Nullable ScheduledExecutorService scheduler;

	public PgqueMetrics(PgqueAdminOperations admin, Duration refreshInterval) {
		this(admin, refreshInterval, platformThreads());
	}

	/**
	 * Create the meters, refreshed on a thread of the given factory.
	 * @param admin reads the engine's statistics
	 * @param refreshInterval how often the statistics are read
	 * @param threadFactory creates the one refresh thread
	 */
	public PgqueMetrics(PgqueAdminOperations admin, Duration refreshInterval, ThreadFactory threadFactory) {
		this.admin = admin;
		this.refreshInterval = refreshInterval;
		this.threadFactory = threadFactory;
	}

	/**
	 * The default refresh thread: a daemon platform thread named {@code pgque-metrics}.
	 * @return the thread factory
	 */
	public static ThreadFactory platformThreads() {
		return (task) -> {
			Thread thread = new Thread(task, "pgque-metrics");
			thread.setDaemon(true);
			return thread;
		};
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauges gauges = new Gauges(registry);
		ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(this.threadFactory);
		scheduler.scheduleWithFixedDelay(() -> refresh(gauges), 0, this.refreshInterval.toMillis(),
				TimeUnit.MILLISECONDS);
		this.scheduler = scheduler;
	}

	void refresh(Gauges gauges) {
		try {
			Map<String, Long> deadLetterCounts = this.admin.countDeadLetters();
			List<Row<?>> newEvents = new ArrayList<>();
			List<Row<?>> tickerLag = new ArrayList<>();
			List<Row<?>> deadLetters = new ArrayList<>();
			for (PgqueQueueInfo queue : this.admin.getQueueInfo()) {
				Tags tags = Tags.of("queue", queue.name());
				newEvents.add(Row.of(tags, queue.newEvents()));
				tickerLag.add(Row.of(tags, seconds(queue.tickerLag())));
				deadLetters.add(Row.of(tags, deadLetterCounts.getOrDefault(queue.name(), 0L)));
				if (queue.lastTickId() != null) {
					gauges.ticks(queue.name()).set(queue.lastTickId());
				}
			}
			List<Row<?>> consumerLag = new ArrayList<>();
			List<Row<?>> pending = new ArrayList<>();
			for (PgqueConsumerInfo consumer : this.admin.getConsumerInfo()) {
				Tags tags = Tags.of("queue", consumer.queue(), "consumer", consumer.consumer());
				consumerLag.add(Row.of(tags, seconds(consumer.lag())));
				Long pendingEvents = consumer.pendingEvents();
				pending.add(Row.of(tags, (pendingEvents != null) ? pendingEvents : 0L));
			}
			gauges.newEvents.register(newEvents, true);
			gauges.tickerLag.register(tickerLag, true);
			gauges.deadLetters.register(deadLetters, true);
			gauges.consumerLag.register(consumerLag, true);
			gauges.pending.register(pending, true);
		}
		catch (RuntimeException ex) {
			// Keep the last values; the next refresh tries again.
			logger.debug("Could not refresh PgQue metrics", ex);
		}
	}

	private static double seconds(@Nullable Duration duration) {
		return (duration != null) ? duration.toNanos() / 1e9 : 0;
	}

	@Override
	public void destroy() {
		if (this.scheduler != null) {
			this.scheduler.shutdownNow();
		}
	}

	static final class Gauges {

		final MultiGauge newEvents;

		final MultiGauge tickerLag;

		final MultiGauge deadLetters;

		final MultiGauge consumerLag;

		final MultiGauge pending;

		private final MeterRegistry registry;

		private final Map<String, AtomicLong> ticks = new ConcurrentHashMap<>();

		Gauges(MeterRegistry registry) {
			this.registry = registry;
			this.newEvents = MultiGauge.builder("pgque.queue.events.new")
				.description("Events sent but not yet covered by a tick")
				.baseUnit("events")
				.register(registry);
			this.tickerLag = MultiGauge.builder("pgque.queue.ticker.lag")
				.description("Time since the queue's last tick")
				.baseUnit("seconds")
				.register(registry);
			this.deadLetters = MultiGauge.builder("pgque.queue.dead.letters")
				.description("Events in the dead-letter queue")
				.baseUnit("events")
				.register(registry);
			this.consumerLag = MultiGauge.builder("pgque.consumer.lag")
				.description("How far the consumer's cursor is behind, in time")
				.baseUnit("seconds")
				.register(registry);
			this.pending = MultiGauge.builder("pgque.consumer.pending")
				.description("Events between the consumer's cursor and the newest tick")
				.baseUnit("events")
				.register(registry);
		}

		AtomicLong ticks(String queue) {
			return this.ticks.computeIfAbsent(queue, (name) -> {
				AtomicLong newest = new AtomicLong();
				FunctionCounter.builder("pgque.queue.ticks", newest, AtomicLong::get)
					.description("Ticks of the queue (its newest tick id)")
					.tags("queue", name)
					.register(this.registry);
				return newest;
			});
		}

	}

}
