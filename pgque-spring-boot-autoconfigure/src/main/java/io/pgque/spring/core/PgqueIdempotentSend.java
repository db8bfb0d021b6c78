package io.pgque.spring.core;

/**
 * Outcome of an idempotent send.
 *
 * @param eventId the event the key stands for: the new event, or for a duplicate the one
 * sent first under the key ({@code 0} in the rare case the engine reports a duplicate
 * whose first send has not stored its id yet)
 * @param duplicate whether the key was already live on the queue, so that nothing was
 * sent
 * @author pgque-spring-boot authors
 */
public record PgqueIdempotentSend(long eventId, boolean duplicate) {

}
