package io.pgque.spring.listener.pipeline;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.core.PgqueAcknowledgement;
import io.pgque.spring.listener.adapter.PgqueDispatchUnit;
import io.pgque.spring.listener.error.PgqueFailureDecision;
import io.pgque.spring.listener.error.PgqueFailureDecision.Action;

/**
 * The acknowledgement handed to one call: records the handler's decisions, which the
 * processor applies once the call returned normally.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueUnitAcknowledgement implements PgqueAcknowledgement {

	private final PgqueDispatchUnit unit;

	private Map<Long, PgqueFailureDecision> decisions = Map.of();

	private boolean acknowledged;

	PgqueUnitAcknowledgement(PgqueDispatchUnit unit) {
		this.unit = unit;
	}

	@Override
	public void acknowledge() {
		this.acknowledged = true;
	}

	@Override
	public void retryLater(Duration delay) {
		PgqueFailureDecision decision = new PgqueFailureDecision(Action.NACK, delay, "retry requested");
		this.unit.messages().forEach((message) -> decide(message.id(), decision));
	}

	@Override
	public void retryLater(PgqueMessage message, Duration delay) {
		decide(check(message), new PgqueFailureDecision(Action.NACK, delay, "retry requested"));
	}

	@Override
	public void deadLetter(String reason) {
		PgqueFailureDecision decision = new PgqueFailureDecision(Action.DEAD_LETTER, Duration.ZERO, reason);
		this.unit.messages().forEach((message) -> decide(message.id(), decision));
	}

	@Override
	public void deadLetter(PgqueMessage message, String reason) {
		decide(check(message), new PgqueFailureDecision(Action.DEAD_LETTER, Duration.ZERO, reason));
	}

	private void decide(long eventId, PgqueFailureDecision decision) {
		if (this.decisions.isEmpty()) {
			this.decisions = new LinkedHashMap<>();
		}
		this.decisions.put(eventId, decision);
	}

	private long check(PgqueMessage message) {
		for (PgqueMessage candidate : this.unit.messages()) {
			if (candidate.id() == message.id()) {
				return message.id();
			}
		}
		throw new IllegalArgumentException("Event " + message.id() + " is not part of this call");
	}

	boolean isAcknowledged() {
		return this.acknowledged;
	}

	Map<Long, PgqueFailureDecision> decisions() {
		return this.decisions;
	}

}
