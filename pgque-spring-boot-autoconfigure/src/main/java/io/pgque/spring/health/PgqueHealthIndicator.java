package io.pgque.spring.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pgque.spring.core.PgqueAdminOperations;
import io.pgque.spring.core.PgqueConsumerInfo;
import io.pgque.spring.PgqueException;
import io.pgque.spring.core.PgqueQueueInfo;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

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

	private final PgqueAdminOperations admin;

	private final Duration tickerGrace;

	private final @Nullable Duration maxConsumerLag;

	/**
	 * Create a health indicator.
	 * @param admin the engine's administration operations
	 * @param tickerGrace how much longer than a queue's thresholds a ticker may be silent
	 * @param maxConsumerLag consumer lag above which health is DOWN, or {@code null} to
	 * only report lag
	 */
	public PgqueHealthIndicator(PgqueAdminOperations admin, Duration tickerGrace, @Nullable Duration maxConsumerLag) {
		super("PgQue health check failed");
		this.admin = admin;
		this.tickerGrace = tickerGrace;
		this.maxConsumerLag = maxConsumerLag;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		String version;
		try {
			version = this.admin.version();
		}
		catch (PgqueException ex) {
			// the template names a missing engine; connection failures propagate as DOWN
			builder.down().withDetail("error", ex.getMessage());
			return;
		}
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
		Map<String, Long> deadLetters = this.admin.countDeadLetters();
		Map<String, Object> queues = new LinkedHashMap<>();
		for (PgqueQueueInfo queue : this.admin.getQueueInfo()) {
			Duration tickerLag = (queue.tickerLag() != null) ? queue.tickerLag() : Duration.ZERO;
			if (isStalled(queue, tickerLag)) {
				problems.add("queue '" + queue.name() + "': no tick for " + tickerLag.toSeconds()
						+ " s; is a ticker running (pgque.ticker.mode)?");
			}
			queues.put(queue.name(), Map.of("tickerLagSeconds", seconds(tickerLag), "newEvents", queue.newEvents(),
					"deadLetters", deadLetters.getOrDefault(queue.name(), 0L)));
		}
		return queues;
	}

	private boolean isStalled(PgqueQueueInfo queue, Duration tickerLag) {
		if (queue.tickerPaused() || queue.externalTicker()) {
			return false;
		}
		Duration allowed = (queue.newEvents() > 0) ? queue.tickerMaxLag() : queue.tickerIdlePeriod();
		return tickerLag.compareTo(allowed.plus(this.tickerGrace)) > 0;
	}

	private Map<String, Object> consumers(List<String> problems) {
		Map<String, Object> consumers = new LinkedHashMap<>();
		for (PgqueConsumerInfo consumer : this.admin.getConsumerInfo()) {
			String key = consumer.queue() + "/" + consumer.consumer();
			Duration lag = (consumer.lag() != null) ? consumer.lag() : Duration.ZERO;
			if (this.maxConsumerLag != null && lag.compareTo(this.maxConsumerLag) > 0) {
				problems.add("consumer '" + key + "' lags " + lag.toSeconds() + " s behind");
			}
			consumers.put(key, Map.of("lagSeconds", seconds(lag), "pendingEvents",
					(consumer.pendingEvents() != null) ? consumer.pendingEvents() : 0L));
		}
		return consumers;
	}

	private static double seconds(Duration duration) {
		return duration.toNanos() / 1e9;
	}

}
