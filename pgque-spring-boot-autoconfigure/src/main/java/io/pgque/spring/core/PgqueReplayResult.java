package io.pgque.spring.core;

import org.jspecify.annotations.Nullable;

/**
 * Outcome of replaying a queue's whole dead-letter queue.
 *
 * @param replayed entries sent again as new events
 * @param failed entries that could not be replayed (they stay)
 * @param firstError the first failure, as {@code dl_id=<id>: <error>}
 * @author pgque-spring-boot authors
 */
public record PgqueReplayResult(long replayed, long failed, @Nullable String firstError) {

}
