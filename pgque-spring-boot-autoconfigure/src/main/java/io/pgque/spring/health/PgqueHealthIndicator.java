package io.pgque.spring.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.pgque.spring.PgqueException;
import io.pgque.spring.listener.PgqueContainerMember;
import io.pgque.spring.listener.PgqueContainerState;
import io.pgque.spring.listener.PgqueListenerContainer;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of PgQue for this application: the engine, its queues' tickers, the consumers'
 * lag and this application's listener containers. The database part is read by a
 * {@link PgqueHealthProbe} (two statements, a timeout, cached); {@link PgqueHealthRules}
 * decide what is DOWN and what is a warning.
 * <p>
 * A ticker counts as stalled when a queue with waiting events has not ticked for longer
 * than its {@code ticker_max_lag}, or an idle queue for longer than its
 * {@code ticker_idle_period}, each plus a grace period. Paused and externally ticked
 * queues are not judged. A container stopped or paused on purpose, or standing by without
 * the lease, is healthy; one stopped by a failure is not.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueHealthIndicator extends AbstractHealthIndicator {

	private final PgqueHealthProbe probe;

	private final PgqueHealthRules rules;

	private final Supplier<Collection<PgqueListenerContainer>> containers;

	/**
	 * Create a health indicator.
	 * @param probe reads the database
	 * @param rules what is DOWN and what is a warning
	 * @param containers this application's listener containers
	 */
	public PgqueHealthIndicator(PgqueHealthProbe probe, PgqueHealthRules rules,
			Supplier<Collection<PgqueListenerContainer>> containers) {
		super("PgQue health check failed");
		this.probe = probe;
		this.rules = rules;
		this.containers = containers;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		PgqueHealthSnapshot snapshot;
		try {
			snapshot = this.probe.snapshot();
		}
		catch (PgqueException ex) {
			// a missing engine, a timeout: named; other failures propagate as DOWN
			builder.down().withDetail("error", ex.getMessage());
			return;
		}
		Findings findings = new Findings();
		builder.withDetail("version", snapshot.version())
			.withDetail("queues", queues(snapshot, findings))
			.withDetail("consumers", consumers(snapshot, findings))
			.withDetail("containers", containers(findings));
		if (!findings.warnings.isEmpty()) {
			builder.withDetail("warnings", findings.warnings);
		}
		if (findings.problems.isEmpty()) {
			builder.up();
		}
		else {
			builder.down().withDetail("problems", findings.problems);
		}
	}

	private Map<String, Object> queues(PgqueHealthSnapshot snapshot, Findings findings) {
		Map<String, Object> queues = new LinkedHashMap<>();
		for (PgqueHealthSnapshot.Queue queue : snapshot.queues()) {
			if (isStalled(queue)) {
				findings.add(this.rules.stalledTickerDown(), "queue '" + queue.name() + "': no tick for "
						+ queue.tickerLag().toSeconds() + " s; is a ticker running (pgque.ticker.mode)?");
			}
			Map<String, Object> detail = new LinkedHashMap<>();
			detail.put("tickerLagSeconds", seconds(queue.tickerLag()));
			detail.put("newEvents", queue.newEvents());
			detail.put("deadLetters", queue.deadLetters());
			if (queue.deadLettersAtLeast()) {
				detail.put("deadLettersAtLeast", true);
			}
			queues.put(queue.name(), detail);
		}
		return queues;
	}

	private boolean isStalled(PgqueHealthSnapshot.Queue queue) {
		if (queue.tickerPaused() || queue.externalTicker()) {
			return false;
		}
		Duration allowed = (queue.newEvents() > 0) ? queue.tickerMaxLag() : queue.tickerIdlePeriod();
		return queue.tickerLag().compareTo(allowed.plus(this.rules.tickerGrace())) > 0;
	}

	private Map<String, Object> consumers(PgqueHealthSnapshot snapshot, Findings findings) {
		Map<String, Object> consumers = new LinkedHashMap<>();
		for (PgqueHealthSnapshot.Consumer consumer : snapshot.consumers()) {
			String key = consumer.queue() + "/" + consumer.consumer();
			Duration lag = consumer.lag();
			String lagging = "consumer '" + key + "' lags " + lag.toSeconds() + " s behind";
			if (exceeds(lag, this.rules.maxConsumerLag())) {
				findings.add(true, lagging);
			}
			else if (exceeds(lag, this.rules.consumerLagWarning())) {
				findings.add(false, lagging);
			}
			consumers.put(key, Map.of("lagSeconds", seconds(lag), "pendingEvents", consumer.pendingEvents()));
		}
		return consumers;
	}

	private Map<String, Object> containers(Findings findings) {
		Map<String, Object> containers = new LinkedHashMap<>();
		for (PgqueListenerContainer container : this.containers.get()) {
			PgqueContainerState state = container.getState();
			if (state == PgqueContainerState.FAILED) {
				findings.add(this.rules.failedContainerDown(), "container '" + container.getId() + "' ("
						+ container.getQueue() + "/" + container.getConsumer() + ") stopped after a failure");
			}
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("state", state.jsonName());
			details.put("leaseHeld", container.hasLease());
			if (!container.getMembers().isEmpty()) {
				Map<String, Object> members = new LinkedHashMap<>();
				for (PgqueContainerMember member : container.getMembers()) {
					Map<String, Object> memberDetails = new LinkedHashMap<>();
					memberDetails.put("state", member.state());
					if (member.batch() != null) {
						memberDetails.put("batch", member.batch());
					}
					if (!member.slots().isEmpty()) {
						memberDetails.put("slots", member.slots());
					}
					members.put(member.name(), memberDetails);
				}
				details.put("members", members);
			}
			containers.put(container.getId(), details);
		}
		return containers;
	}

	private static boolean exceeds(Duration value, @Nullable Duration limit) {
		return limit != null && value.compareTo(limit) > 0;
	}

	private static double seconds(Duration duration) {
		return duration.toNanos() / 1e9;
	}

	private static final class Findings {

		private final List<String> problems = new ArrayList<>();

		private final List<String> warnings = new ArrayList<>();

		void add(boolean down, String finding) {
			(down ? this.problems : this.warnings).add(finding);
		}

	}

}
