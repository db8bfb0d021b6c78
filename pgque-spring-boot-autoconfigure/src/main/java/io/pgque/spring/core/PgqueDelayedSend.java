package io.pgque.spring.core;

/**
 * Outcome of a delayed send.
 *
 * @param id the event id when the time had already come and the event was sent at once,
 * otherwise the id of the schedule entry (a different id space: the event gets its own id
 * when it is delivered)
 * @param scheduled whether the event waits for its time
 * @author pgque-spring-boot authors
 */
public record PgqueDelayedSend(long id, boolean scheduled) {

}
