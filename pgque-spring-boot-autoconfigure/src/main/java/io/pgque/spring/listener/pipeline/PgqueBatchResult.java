package io.pgque.spring.listener.pipeline;

/**
 * What processing the consumer's next batch did.
 *
 * @param batchId the batch id, or -1 when there was no batch
 * @param events how many events it had
 * @author pgque-spring-boot authors
 */
public record PgqueBatchResult(long batchId, int events) {

	/**
	 * No new tick: nothing to do.
	 */
	public static final PgqueBatchResult NONE = new PgqueBatchResult(-1, 0);

	/**
	 * Whether a batch was processed (possibly an empty one).
	 * @return whether there was a batch
	 */
	public boolean hadBatch() {
		return this.batchId >= 0;
	}

}
