package io.pgque.spring.listener.pipeline;

import io.pgque.spring.listener.adapter.PgqueDispatchUnit;
import io.pgque.spring.listener.error.PgqueFailureDecision;
import io.pgque.spring.listener.source.PgqueOpenBatch;

/**
 * {@link io.pgque.spring.listener.pipeline.PgqueTransactionMode#AT_LEAST_ONCE}: the batch
 * is opened and read in a short transaction, handlers run outside any container
 * transaction, nacks and the final ack commit on their own. A crash before the ack
 * re-delivers the batch.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueAtLeastOnceBatchProcessor extends AbstractPgqueBatchProcessor {

	PgqueAtLeastOnceBatchProcessor(PgqueBatchContext context) {
		super(context);
	}

	@Override
	public PgqueBatchResult processNextBatch() {
		PgqueOpenBatch batch = this.context.transactions().execute((status) -> open());
		if (batch == null) {
			return PgqueBatchResult.NONE;
		}
		boolean acknowledged = false;
		for (PgqueDispatchUnit unit : units(batch)) {
			if (unit.handler() == null) {
				unknownType(batch.id(), unit);
				continue;
			}
			acknowledged |= runWithRetry(batch.id(), unit, PgqueLazySavepoints.Call::run, () -> {
			});
		}
		boolean handled = acknowledged;
		return this.context.transactions().execute((status) -> complete(batch, handled));
	}

	@Override
	protected void settle(long batchId, long eventId, PgqueFailureDecision decision) {
		inTransaction(() -> super.settle(batchId, eventId, decision));
	}

	private void inTransaction(Runnable action) {
		this.context.transactions().executeWithoutResult((status) -> action.run());
	}

}
