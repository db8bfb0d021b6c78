package io.pgque.spring.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgque.spring.listener.PgqueListenerContainer;
import io.pgque.spring.listener.PgqueListenerContainerEvent;

import org.springframework.context.ApplicationListener;

/**
 * {@code pgque.listener.lease} — 1 while a container of this application holds its
 * consumer's lease, 0 while it stands by or is stopped (tags container, queue, consumer).
 * For a cooperative container also {@code pgque.listener.workers.busy}, how many of its
 * workers are processing a batch, and the counter
 * {@code pgque.listener.batches.taken.over}, batches of its workers taken over by another
 * worker before their ack (their work rolled back). Registered when a container starts,
 * read from its public state on each scrape.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueContainerMetrics implements ApplicationListener<PgqueListenerContainerEvent> {

	private final MeterRegistry registry;

	public PgqueContainerMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void onApplicationEvent(PgqueListenerContainerEvent event) {
		if (event.getKind() == PgqueListenerContainerEvent.Kind.STARTED) {
			PgqueListenerContainer container = event.getContainer();
			// registering again returns the existing gauge
			Gauge.builder("pgque.listener.lease", container, (held) -> held.hasLease() ? 1 : 0)
				.description("Whether this instance holds the consumer's lease (1) or not (0)")
				.tags("container", container.getId(), "queue", container.getQueue(), "consumer",
						container.getConsumer())
				.register(this.registry);
			if (container.isCooperative()) {
				Gauge.builder("pgque.listener.workers.busy", container,
						(workers) -> workers.getMembers().stream().filter((member) -> member.batch() != null).count())
					.description("Cooperative workers of this instance processing a batch now")
					.tags(tags(container))
					.register(this.registry);
			}
		}
		if (event.getKind() == PgqueListenerContainerEvent.Kind.BATCH_TAKEN_OVER) {
			Counter.builder("pgque.listener.batches.taken.over")
				.description("Batches of cooperative workers taken over by another worker before their ack")
				.tags(tags(event.getContainer()))
				.register(this.registry)
				.increment();
		}
	}

	private static String[] tags(PgqueListenerContainer container) {
		return new String[] { "container", container.getId(), "queue", container.getQueue(), "consumer",
				container.getConsumer() };
	}

}
