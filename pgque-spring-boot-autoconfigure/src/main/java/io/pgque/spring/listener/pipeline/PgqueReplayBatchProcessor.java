package io.pgque.spring.listener.pipeline;

import java.util.HashMap;
import java.util.Map;

import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.listener.adapter.PgqueDispatchUnit;
import io.pgque.spring.listener.error.PgqueFailureDecision;
import io.pgque.spring.listener.source.PgqueOpenBatch;

/**
 * {@link io.pgque.spring.listener.pipeline.PgqueTransactionMode#REPLAY}: the whole batch
 * in one transaction, without savepoints, for transaction managers that cannot roll back
 * part of a transaction (JPA: a savepoint would not undo changes held in the persistence
 * context).
 * <p>
 * When a call fails, the whole transaction rolls back, so no write of the failed call can
 * reach the commit. The batch is then run again from the start in a new transaction: a
 * call that may still be retried in place is invoked again after its back-off; one that
 * is out of attempts (or not retryable) is settled instead (nacked or dead-lettered) in
 * that same transaction, which commits with the ack. Every run sees the same events,
 * since a rolled-back run leaves the consumer's cursor where it was. Handlers before the
 * failed call run once per run, so only their transactional effects are exactly-once.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueReplayBatchProcessor extends AbstractPgqueBatchProcessor {

	PgqueReplayBatchProcessor(PgqueBatchContext context) {
		super(context);
	}

	@Override
	protected PgqueBatchResult process() {
		Map<Long, PgqueFailureDecision> settled = new HashMap<>();
		Map<Long, Integer> attempts = new HashMap<>();
		while (true) {
			try {
				PgqueBatchResult result = this.context.transactions().execute((status) -> run(settled));
				return (result != null) ? result : PgqueBatchResult.NONE;
			}
			catch (CallFailedException failure) {
				PgqueDispatchUnit unit = failure.unit;
				checkNotAbandoned(unit.firstId());
				int attempt = attempts.merge(unit.firstId(), 1, Integer::sum);
				PgqueFailureDecision decision = decisionAfter(unit, failure.getCause(), retry(unit), attempt);
				if (decision == null) {
					continue;
				}
				for (PgqueMessage message : unit.messages()) {
					settled.put(message.id(), decision);
				}
			}
		}
	}

	private PgqueBatchResult run(Map<Long, PgqueFailureDecision> settled) {
		PgqueOpenBatch batch = open();
		if (batch == null) {
			return PgqueBatchResult.NONE;
		}
		return complete(dispatch(batch, (batchId, unit) -> call(batchId, unit, settled)));
	}

	private boolean call(long batchId, PgqueDispatchUnit unit, Map<Long, PgqueFailureDecision> settled) {
		PgqueFailureDecision decision = settled.get(unit.firstId());
		if (decision != null) {
			settle(batchId, unit, decision);
			return false;
		}
		PgqueUnitAcknowledgement acknowledgement = new PgqueUnitAcknowledgement(unit);
		try {
			invoke(unit, acknowledgement);
		}
		catch (Throwable ex) {
			rethrowFatal(ex);
			throw new CallFailedException(unit, ex);
		}
		apply(batchId, acknowledgement.decisions());
		return acknowledgement.isAcknowledged();
	}

	/**
	 * Rolls the batch transaction back after a failed call.
	 */
	private static final class CallFailedException extends RuntimeException {

		private final transient PgqueDispatchUnit unit;

		CallFailedException(PgqueDispatchUnit unit, Throwable cause) {
			super(cause);
			this.unit = unit;
		}

		@Override
		public synchronized Throwable getCause() {
			Throwable cause = super.getCause();
			return (cause != null) ? cause : this;
		}

	}

}
