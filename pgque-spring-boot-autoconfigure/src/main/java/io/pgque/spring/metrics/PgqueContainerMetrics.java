package io.pgque.spring.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgque.spring.listener.PgqueListenerContainer;
import io.pgque.spring.listener.PgqueListenerContainerEvent;

import org.springframework.context.ApplicationListener;

/**
 * {@code pgque.listener.lease} — 1 while a container of this application holds its
 * consumer's lease, 0 while it stands by or is stopped (tags container, queue, consumer).
 * Registered when a container starts, read from its public state on each scrape.
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
		}
	}

}
