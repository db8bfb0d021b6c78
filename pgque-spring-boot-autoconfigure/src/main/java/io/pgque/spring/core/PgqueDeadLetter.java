package io.pgque.spring.core;

import java.time.OffsetDateTime;

import org.jspecify.annotations.Nullable;

/**
 * An event in the dead-letter queue, from {@code pgque.dlq_inspect}.
 *
 * @param id the dead-letter id, for replay
 * @param queue the queue name
 * @param consumer the consumer that gave up on it
 * @param deadAt when it was dead-lettered
 * @param reason why, as given to nack
 * @param eventId the original event id
 * @param eventTime when the event was first sent
 * @param retryCount how often it was retried
 * @param type the event type
 * @param payload the payload as stored
 * @param extra1 extra field 1
 * @param extra2 extra field 2
 * @param extra3 extra field 3
 * @param extra4 extra field 4
 * @author pgque-spring-boot authors
 */
public record PgqueDeadLetter(long id, String queue, @Nullable String consumer, OffsetDateTime deadAt,
		@Nullable String reason, long eventId, OffsetDateTime eventTime, @Nullable Integer retryCount,
		@Nullable String type, @Nullable String payload, @Nullable String extra1, @Nullable String extra2,
		@Nullable String extra3, @Nullable String extra4) {

}
