package io.pgque.spring.core;

import java.time.Duration;
import java.time.OffsetDateTime;

import org.jspecify.annotations.Nullable;

/**
 * An open batch, from {@code pgque.get_batch_info}.
 *
 * @param queue the queue name
 * @param consumer the consumer name
 * @param batchStart time of the tick the batch starts after
 * @param batchEnd time of the tick the batch ends at
 * @param prevTickId the tick the batch starts after
 * @param tickId the tick the batch ends at
 * @param lag now minus the end tick's time
 * @param seqStart event sequence at the start tick (a hint)
 * @param seqEnd event sequence at the end tick (a hint)
 * @author pgque-spring-boot authors
 */
public record PgqueBatchInfo(String queue, String consumer, @Nullable OffsetDateTime batchStart,
		@Nullable OffsetDateTime batchEnd, @Nullable Long prevTickId, @Nullable Long tickId, @Nullable Duration lag,
		@Nullable Long seqStart, @Nullable Long seqEnd) {

}
