package io.pgque.spring.endpoint;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import io.pgque.spring.core.PgqueConsumerInfo;
import io.pgque.spring.core.PgqueDeadLetter;
import io.pgque.spring.core.PgqueQueueInfo;
import io.pgque.spring.listener.PgqueContainerFailure;
import io.pgque.spring.listener.PgqueContainerMember;
import io.pgque.spring.listener.PgqueListenerContainer;
import org.jspecify.annotations.Nullable;

/**
 * The JSON of the {@code pgque} endpoint: plain records with stable field names
 * (documented in docs/operations.md). Durations are seconds, times ISO-8601 strings.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueEndpointViews {

	private PgqueEndpointViews() {
	}

	/**
	 * {@code GET /actuator/pgque}.
	 *
	 * @param queues every queue
	 * @param consumers every subscription
	 * @param containers this application's listener containers
	 */
	public record Overview(List<Queue> queues, List<Consumer> consumers, List<Container> containers) {

	}

	/**
	 * {@code GET /actuator/pgque/{queue}}.
	 *
	 * @param queue the queue
	 * @param consumers its subscriptions
	 * @param deadLetters one page of its dead letters, newest first
	 * @param page the page number, from 0
	 * @param size the page size
	 */
	public record QueueDetail(Queue queue, List<Consumer> consumers, List<DeadLetter> deadLetters, int page, int size) {

	}

	/**
	 * A queue.
	 *
	 * @param name the name
	 * @param newEvents events sent since the newest tick (an estimate)
	 * @param eventsPerSecond the recent event rate, or {@code null}
	 * @param lastTickId the newest tick
	 * @param tickerLagSeconds seconds since the newest tick
	 * @param deadLetters rows in its dead-letter queue
	 * @param settings its settings
	 */
	public record Queue(String name, long newEvents, @Nullable Double eventsPerSecond, @Nullable Long lastTickId,
			double tickerLagSeconds, long deadLetters, QueueSettings settings) {

		static Queue of(PgqueQueueInfo info, long deadLetters) {
			return new Queue(info.name(), info.newEvents(), info.eventsPerSecond(), info.lastTickId(),
					seconds(info.tickerLag()), deadLetters,
					new QueueSettings(info.tables(), seconds(info.rotationPeriod()), info.externalTicker(),
							info.tickerPaused(), info.tickerMaxCount(), seconds(info.tickerMaxLag()),
							seconds(info.tickerIdlePeriod())));
		}

	}

	/**
	 * A queue's settings.
	 *
	 * @param tables rotating event tables
	 * @param rotationPeriodSeconds how often they rotate
	 * @param externalTicker whether an external ticker ticks it
	 * @param tickerPaused whether ticking is paused
	 * @param tickerMaxCount waiting events that make it tick
	 * @param tickerMaxLagSeconds age of the oldest waiting event that makes it tick
	 * @param tickerIdlePeriodSeconds longest gap between ticks when idle
	 */
	public record QueueSettings(int tables, double rotationPeriodSeconds, boolean externalTicker, boolean tickerPaused,
			int tickerMaxCount, double tickerMaxLagSeconds, double tickerIdlePeriodSeconds) {

	}

	/**
	 * A subscription.
	 *
	 * @param queue the queue
	 * @param consumer the consumer
	 * @param lagSeconds how far its cursor is behind
	 * @param lastSeenSeconds seconds since it last received or acknowledged
	 * @param lastTick its cursor tick
	 * @param currentBatch its open batch, or {@code null}
	 * @param nextTick the end tick of the open batch
	 * @param pendingEvents events ticked but not yet consumed (an estimate)
	 */
	public record Consumer(String queue, String consumer, double lagSeconds, double lastSeenSeconds,
			@Nullable Long lastTick, @Nullable Long currentBatch, @Nullable Long nextTick,
			@Nullable Long pendingEvents) {

		static Consumer of(PgqueConsumerInfo info) {
			return new Consumer(info.queue(), info.consumer(), seconds(info.lag()), seconds(info.lastSeen()),
					info.lastTick(), info.currentBatch(), info.nextTick(), info.pendingEvents());
		}

	}

	/**
	 * A listener container of this application.
	 *
	 * @param id the container id
	 * @param queue the queue
	 * @param consumer the consumer
	 * @param state {@code running}, {@code standby}, {@code paused}, {@code stopped} or
	 * {@code failed}
	 * @param leaseHeld whether this instance holds the consumer's lease
	 * @param pausedUntil when a timed pause ends, or {@code null}
	 * @param currentBatch the consumer's open batch, or {@code null}
	 * @param lastError the last failure, or {@code null}
	 * @param members the cooperative or keyed workers (name, state, open batch, slots
	 * held); empty for a single-worker container
	 */
	public record Container(String id, String queue, String consumer, String state, boolean leaseHeld,
			@Nullable String pausedUntil, @Nullable Long currentBatch, @Nullable Error lastError,
			List<PgqueContainerMember> members) {

		static Container of(PgqueListenerContainer container, @Nullable Long currentBatch) {
			Instant pausedUntil = container.getPausedUntil();
			PgqueContainerFailure failure = container.getLastFailure();
			return new Container(container.getId(), container.getQueue(), container.getConsumer(),
					container.getState().jsonName(), container.hasLease(),
					(pausedUntil != null) ? pausedUntil.toString() : null, currentBatch,
					(failure != null) ? new Error(failure.time().toString(), failure.cause().getClass().getName(),
							String.valueOf(failure.cause().getMessage())) : null,
					container.getMembers());
		}

	}

	/**
	 * A failure.
	 *
	 * @param time when it happened
	 * @param exception the exception class
	 * @param message its message
	 */
	public record Error(String time, String exception, String message) {

	}

	/**
	 * A dead letter.
	 *
	 * @param id the dead-letter id, for replay
	 * @param consumer the consumer that gave up on it
	 * @param deadAt when it was dead-lettered
	 * @param reason why
	 * @param eventId the original event id
	 * @param eventTime when the event was first sent
	 * @param retryCount how often it was retried
	 * @param type the event type
	 * @param payload the payload as stored
	 */
	public record DeadLetter(long id, @Nullable String consumer, String deadAt, @Nullable String reason, long eventId,
			String eventTime, @Nullable Integer retryCount, @Nullable String type, @Nullable String payload) {

		static DeadLetter of(PgqueDeadLetter letter) {
			return new DeadLetter(letter.id(), letter.consumer(), time(letter.deadAt()), letter.reason(),
					letter.eventId(), time(letter.eventTime()), letter.retryCount(), letter.type(), letter.payload());
		}

	}

	/**
	 * The answer to a write operation.
	 *
	 * @param target what was acted on, e.g. {@code containers/billing}
	 * @param action the action, e.g. {@code pause}
	 * @param result what came of it: a state, an event id, a count
	 */
	public record WriteResult(String target, String action, Object result) {

	}

	static double seconds(@Nullable Duration duration) {
		return (duration != null) ? duration.toNanos() / 1e9 : 0;
	}

	private static String time(OffsetDateTime time) {
		return time.toString();
	}

}
