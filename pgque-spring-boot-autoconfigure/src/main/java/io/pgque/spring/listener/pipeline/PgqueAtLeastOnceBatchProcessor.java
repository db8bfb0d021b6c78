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
	protected PgqueBatchResult process() {
		PgqueOpenBatch batch = this.context.transactions().execute((status) -> open());
		if (batch == null) {
			return PgqueBatchResult.NONE;
		}
		Dispatched dispatched = dispatch(batch,
				(batchId, unit) -> runWithRetry(batchId, unit, PgqueLazySavepoints.Call::run, () -> {
				}));
		return this.context.transactions().execute((status) -> complete(dispatched));
	}

	// the batch stays open between the short transactions, so a page is read in one
	@Override
	protected PgqueOpenBatch nextPage(PgqueOpenBatch page) {
		PgqueOpenBatch next = this.context.transactions().execute((status) -> super.nextPage(page));
		if (next == null) {
			throw new IllegalStateException("No page after " + page.lastId() + " of batch " + page.id());
		}
		return next;
	}

	@Override
	protected void settle(long batchId, long eventId, PgqueFailureDecision decision) {
		inTransaction(() -> super.settle(batchId, eventId, decision));
	}

	private void inTransaction(Runnable action) {
		this.context.transactions().executeWithoutResult((status) -> action.run());
	}

}
