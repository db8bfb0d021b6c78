package io.pgque.spring.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Health of the PgQue engine: DOWN when the engine is missing or a queue's ticker has
 * stalled (nothing would be delivered); details show each queue's ticker lag, waiting
 * events and dead letters, and each consumer's lag.
 * <p>
 * A ticker counts as stalled when a queue with waiting events has not ticked for longer
 * than its {@code ticker_max_lag}, or an idle queue for longer than its
 * {@code ticker_idle_period}, each plus a grace period. Paused and externally ticked
 * queues are not judged.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueHealthIndicator extends AbstractHealthIndicator {

	private static final String QUEUES_SQL = """
			SELECT i.queue_name, extract(epoch FROM i.ticker_lag) AS ticker_lag_s, i.ev_new,
			       i.queue_ticker_paused OR i.queue_external_ticker AS not_judged,
			       extract(epoch FROM CASE WHEN i.ev_new > 0 THEN i.queue_ticker_max_lag
			                               ELSE i.queue_ticker_idle_period END) AS allowed_s,
			       (SELECT count(*) FROM pgque.dead_letter d
			          JOIN pgque.queue q ON q.queue_id = d.dl_queue_id
			         WHERE q.queue_name = i.queue_name) AS dead_letters
			  FROM pgque.get_queue_info() i""";

	private static final String CONSUMERS_SQL = """
			SELECT queue_name, consumer_name, extract(epoch FROM lag) AS lag_s, pending_events
			  FROM pgque.get_consumer_info()""";

	private final JdbcTemplate jdbc;

	private final Duration tickerGrace;

	private final @Nullable Duration maxConsumerLag;

	/**
	 * Create a health indicator.
	 * @param dataSource the PgQue DataSource
	 * @param tickerGrace how much longer than a queue's thresholds a ticker may be silent
	 * @param maxConsumerLag consumer lag above which health is DOWN, or {@code null} to
	 * only report lag
	 */
	public PgqueHealthIndicator(DataSource dataSource, Duration tickerGrace, @Nullable Duration maxConsumerLag) {
		super("PgQue health check failed");
		this.jdbc = new JdbcTemplate(dataSource);
		this.tickerGrace = tickerGrace;
		this.maxConsumerLag = maxConsumerLag;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		Boolean installed = this.jdbc.queryForObject("SELECT to_regprocedure('pgque.version()') IS NOT NULL",
				Boolean.class);
		if (!Boolean.TRUE.equals(installed)) {
			builder.down().withDetail("error", "PgQue engine not installed (pgque.version() not found)");
			return;
		}
		String version = this.jdbc.queryForObject("SELECT pgque.version()", String.class);
		List<String> problems = new ArrayList<>();
		builder.withDetail("version", version)
			.withDetail("queues", queues(problems))
			.withDetail("consumers", consumers(problems));
		if (problems.isEmpty()) {
			builder.up();
		}
		else {
			builder.down().withDetail("problems", problems);
		}
	}

	private Map<String, Object> queues(List<String> problems) {
		Map<String, Object> queues = new LinkedHashMap<>();
		double grace = this.tickerGrace.toMillis() / 1000.0;
		this.jdbc.query(QUEUES_SQL, (rs) -> {
			String name = rs.getString("queue_name");
			double tickerLag = rs.getDouble("ticker_lag_s");
			if (!rs.getBoolean("not_judged") && tickerLag > rs.getDouble("allowed_s") + grace) {
				problems.add("queue '" + name + "': no tick for " + Math.round(tickerLag)
						+ " s; is a ticker running (pgque.ticker.mode)?");
			}
			queues.put(name, Map.of("tickerLagSeconds", tickerLag, "newEvents", rs.getLong("ev_new"), "deadLetters",
					rs.getLong("dead_letters")));
		});
		return queues;
	}

	private Map<String, Object> consumers(List<String> problems) {
		Map<String, Object> consumers = new LinkedHashMap<>();
		this.jdbc.query(CONSUMERS_SQL, (rs) -> {
			String key = rs.getString("queue_name") + "/" + rs.getString("consumer_name");
			double lag = rs.getDouble("lag_s");
			if (this.maxConsumerLag != null && lag > this.maxConsumerLag.toMillis() / 1000.0) {
				problems.add("consumer '" + key + "' lags " + Math.round(lag) + " s behind");
			}
			consumers.put(key, Map.of("lagSeconds", lag, "pendingEvents", rs.getLong("pending_events")));
		});
		return consumers;
	}

}
