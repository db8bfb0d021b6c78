package io.pgque.spring.listener.ack;

import io.pgque.spring.listener.adapter.PgqueDispatchUnit;

/**
 * {@link io.pgque.spring.listener.PgqueTransactionMode#SAVEPOINT}: the whole batch in one
 * transaction; a savepoint before each call, rolled back when the call fails, so the ack
 * commits together with the writes of every handler that succeeded and none of those that
 * failed.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueSavepointBatchProcessor extends AbstractPgqueBatchProcessor {

	PgqueSavepointBatchProcessor(PgqueBatchContext context) {
		super(context);
	}

	@Override
	public PgqueBatchResult processNextBatch() {
		PgqueBatchResult result = this.context.transactions().execute((status) -> {
			OpenBatch batch = open();
			if (batch == null) {
				return PgqueBatchResult.NONE;
			}
			boolean[] first = { true };
			boolean acknowledged = false;
			for (PgqueDispatchUnit unit : units(batch)) {
				if (unit.handler() == null) {
					unknownType(batch.id(), unit);
					continue;
				}
				acknowledged |= runWithRetry(batch.id(), unit, () -> {
					this.jdbc.savepoint(first[0]);
					first[0] = false;
				}, this.jdbc::rollbackToSavepoint);
			}
			if (isManualAcknowledgement() && !acknowledged && !batch.messages().isEmpty()) {
				throw new PgqueBatchNotAcknowledgedException(batch.id());
			}
			this.jdbc.finish(batch.id());
			return new PgqueBatchResult(batch.id(), batch.messages().size());
		});
		return (result != null) ? result : PgqueBatchResult.NONE;
	}

}
