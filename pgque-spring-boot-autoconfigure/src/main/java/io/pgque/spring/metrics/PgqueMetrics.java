package io.pgque.spring.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.MultiGauge.Row;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Gauges of the engine's state, read from the database by one background refresh every
 * {@code refreshInterval} (never on a scrape, so a slow database cannot stall the metrics
 * endpoint):
 * <ul>
 * <li>{@code pgque.queue.events.new} — events sent but not yet covered by a tick;</li>
 * <li>{@code pgque.queue.ticker.lag} — seconds since the queue's last tick;</li>
 * <li>{@code pgque.queue.dead.letters} — rows in the dead-letter queue;</li>
 * <li>{@code pgque.consumer.lag} — seconds the consumer's cursor is behind;</li>
 * <li>{@code pgque.consumer.pending} — events between the cursor and the newest
 * tick.</li>
 * </ul>
 *
 * @author pgque-spring-boot authors
 */
public class PgqueMetrics implements MeterBinder, DisposableBean {

	private static final Log logger = LogFactory.getLog(PgqueMetrics.class);

	private static final String QUEUES_SQL = """
			SELECT i.queue_name, i.ev_new, extract(epoch FROM i.ticker_lag) AS ticker_lag_s,
			       (SELECT count(*) FROM pgque.dead_letter d WHERE d.dl_queue_id = q.queue_id) AS dead_letters
			  FROM pgque.get_queue_info() i JOIN pgque.queue q ON q.queue_name = i.queue_name""";

	private static final String CONSUMERS_SQL = """
			SELECT queue_name, consumer_name, extract(epoch FROM lag) AS lag_s, pending_events
			  FROM pgque.get_consumer_info()""";

	private final JdbcTemplate jdbc;

	private final Duration refreshInterval;

	private @Nullable ScheduledExecutorService scheduler;

	public PgqueMetrics(DataSource dataSource, Duration refreshInterval) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.refreshInterval = refreshInterval;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauges gauges = new Gauges(registry);
		ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "pgque-metrics");
			thread.setDaemon(true);
			return thread;
		});
		scheduler.scheduleWithFixedDelay(() -> refresh(gauges), 0, this.refreshInterval.toMillis(),
				TimeUnit.MILLISECONDS);
		this.scheduler = scheduler;
	}

	void refresh(Gauges gauges) {
		try {
			List<Row<?>> newEvents = new ArrayList<>();
			List<Row<?>> tickerLag = new ArrayList<>();
			List<Row<?>> deadLetters = new ArrayList<>();
			this.jdbc.query(QUEUES_SQL, (rs) -> {
				Tags tags = Tags.of("queue", rs.getString("queue_name"));
				newEvents.add(Row.of(tags, rs.getLong("ev_new")));
				tickerLag.add(Row.of(tags, rs.getDouble("ticker_lag_s")));
				deadLetters.add(Row.of(tags, rs.getLong("dead_letters")));
			});
			List<Row<?>> consumerLag = new ArrayList<>();
			List<Row<?>> pending = new ArrayList<>();
			this.jdbc.query(CONSUMERS_SQL, (rs) -> {
				Tags tags = Tags.of("queue", rs.getString("queue_name"), "consumer", rs.getString("consumer_name"));
				consumerLag.add(Row.of(tags, rs.getDouble("lag_s")));
				pending.add(Row.of(tags, rs.getLong("pending_events")));
			});
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

		Gauges(MeterRegistry registry) {
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

	}

}
