package io.pgque.spring.listener;

import java.time.Instant;

/**
 * The last failure of a {@link PgqueListenerContainer}: a batch that failed as a whole,
 * or what stopped the container.
 *
 * @param time when it happened
 * @param cause what was thrown
 * @author pgque-spring-boot authors
 */
public record PgqueContainerFailure(Instant time, Throwable cause) {

}
