package io.pgque.spring.listener.pipeline;

/**
 * Processes one batch of a consumer: open it, dispatch its messages in event-id order,
 * settle failures, ack. One implementation per
 * {@link io.pgque.spring.listener.pipeline.PgqueTransactionMode}.
 *
 * @author pgque-spring-boot authors
 */
@FunctionalInterface
public interface PgqueBatchProcessor {

	/**
	 * Process the consumer's next batch, if any.
	 * @return what was done
	 * @throws RuntimeException if the batch failed as a whole (it is delivered again)
	 */
	PgqueBatchResult processNextBatch();

	/**
	 * The batch being processed now, for monitoring.
	 * @return its id, or {@code -1} between batches
	 */
	default long batchInHand() {
		return -1;
	}

}
