package io.pgque.spring.listener.adapter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.pgque.spring.core.PgqueMessage;
import org.jspecify.annotations.Nullable;

/**
 * Routes the messages of a batch to the handlers of one (queue, consumer) by event type,
 * keeping event-id order. Built once; conflicting handlers fail at start-up.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueHandlerDispatcher {

	private final String name;

	private final List<PgqueHandlerMethod> handlers;

	private final Map<String, PgqueHandlerMethod> byType = new HashMap<>();

	private final @Nullable PgqueHandlerMethod fallback;

	private final @Nullable PgqueHandlerMethod batchHandler;

	private final boolean manualAcknowledgement;

	/**
	 * Create a dispatcher.
	 * @param name the (queue, consumer), for messages
	 * @param handlers the handlers
	 * @throws IllegalStateException if two handlers claim the same types, or a batch
	 * listener shares its consumer
	 */
	public PgqueHandlerDispatcher(String name, List<PgqueHandlerMethod> handlers) {
		if (handlers.isEmpty()) {
			throw new IllegalArgumentException("No listener method for " + name);
		}
		this.name = name;
		this.handlers = List.copyOf(handlers);
		PgqueHandlerMethod catchAll = null;
		PgqueHandlerMethod batch = null;
		for (PgqueHandlerMethod handler : handlers) {
			if (handler.isBatch()) {
				if (handlers.size() > 1) {
					throw conflict(handler, other(handlers, handler),
							"a batch listener must be the only @PgqueListener method of its consumer");
				}
				batch = handler;
			}
			if (handler.types().isEmpty()) {
				if (catchAll != null) {
					throw conflict(catchAll, handler, "both take every event type; give them distinct 'types'");
				}
				catchAll = handler;
			}
			for (String type : handler.types()) {
				PgqueHandlerMethod previous = this.byType.put(type, handler);
				if (previous != null) {
					throw conflict(previous, handler, "both handle event type '" + type + "'");
				}
			}
		}
		this.fallback = catchAll;
		this.batchHandler = batch;
		this.manualAcknowledgement = handlers.stream().anyMatch(PgqueHandlerMethod::isManualAcknowledgement);
	}

	private static PgqueHandlerMethod other(List<PgqueHandlerMethod> handlers, PgqueHandlerMethod handler) {
		return handlers.stream().filter((candidate) -> candidate != handler).findFirst().orElseThrow();
	}

	private IllegalStateException conflict(PgqueHandlerMethod first, PgqueHandlerMethod second, String why) {
		return new IllegalStateException(
				"Conflicting @PgqueListener methods for " + this.name + ": " + first.description() + " and "
						+ second.description() + " would need a second worker for one" + " consumer (" + why + ")");
	}

	public List<PgqueHandlerMethod> handlers() {
		return this.handlers;
	}

	/**
	 * Whether any handler acks batches itself.
	 * @return whether acknowledgement is manual
	 */
	public boolean isManualAcknowledgement() {
		return this.manualAcknowledgement;
	}

	/**
	 * The handler of an event type.
	 * @param type the type
	 * @return the handler, or {@code null} if none takes it
	 */
	public @Nullable PgqueHandlerMethod handlerFor(@Nullable String type) {
		if (this.byType.isEmpty()) {
			// one catch-all method: no need to hash the type of every event
			return this.fallback;
		}
		PgqueHandlerMethod handler = (type != null) ? this.byType.get(type) : null;
		return (handler != null) ? handler : this.fallback;
	}

	/**
	 * Split a batch into calls, in event-id order.
	 * @param messages the batch's messages, ascending by id
	 * @param maxBatchSize the largest slice for a batch listener
	 * @return the calls to make
	 */
	public List<PgqueDispatchUnit> units(List<PgqueMessage> messages, int maxBatchSize) {
		List<PgqueDispatchUnit> units = new ArrayList<>((this.batchHandler != null) ? 4 : messages.size());
		if (this.batchHandler != null) {
			List<PgqueMessage> slice = new ArrayList<>();
			for (PgqueMessage message : messages) {
				if (handlerFor(message.type()) == null) {
					units.add(new PgqueDispatchUnit(null, List.of(message)));
					continue;
				}
				slice.add(message);
				if (slice.size() == maxBatchSize) {
					units.add(new PgqueDispatchUnit(this.batchHandler, List.copyOf(slice)));
					slice.clear();
				}
			}
			if (!slice.isEmpty()) {
				units.add(new PgqueDispatchUnit(this.batchHandler, List.copyOf(slice)));
			}
			return units;
		}
		for (PgqueMessage message : messages) {
			units.add(new PgqueDispatchUnit(handlerFor(message.type()), List.of(message)));
		}
		return units;
	}

}
