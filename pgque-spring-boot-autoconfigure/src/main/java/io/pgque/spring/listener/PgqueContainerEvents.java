package io.pgque.spring.listener;

import java.time.Instant;

import io.pgque.spring.listener.PgqueListenerContainerEvent.Kind;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;

/**
 * Publishes a container's {@link PgqueListenerContainerEvent}s and keeps its last
 * failure, which the endpoint and the health details show.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueContainerEvents {

	private static final Log logger = LogFactory.getLog(PgqueContainerEvents.class);

	private final PgqueListenerContainer container;

	private final @Nullable ApplicationEventPublisher publisher;

	private volatile @Nullable PgqueContainerFailure lastFailure;

	PgqueContainerEvents(PgqueListenerContainer container, @Nullable ApplicationEventPublisher publisher) {
		this.container = container;
		this.publisher = publisher;
	}

	/**
	 * Publish an event; a listener that throws only gets logged, never stops a worker.
	 * @param kind what happened
	 * @param failure the failure, if any (kept as the last failure)
	 */
	void publish(Kind kind, @Nullable Throwable failure) {
		if (failure != null) {
			this.lastFailure = new PgqueContainerFailure(Instant.now(), failure);
		}
		if (this.publisher != null) {
			try {
				this.publisher.publishEvent(new PgqueListenerContainerEvent(this.container, kind, failure));
			}
			catch (RuntimeException ex) {
				logger.debug("Could not publish " + kind + " event of container " + this.container.getId(), ex);
			}
		}
	}

	@Nullable PgqueContainerFailure lastFailure() {
		return this.lastFailure;
	}

}
