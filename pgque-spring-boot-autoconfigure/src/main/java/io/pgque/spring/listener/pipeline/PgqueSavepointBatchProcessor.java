package io.pgque.spring.listener.pipeline;

import io.pgque.spring.listener.adapter.PgqueDispatchUnit;
import io.pgque.spring.listener.source.PgqueOpenBatch;

/**
 * {@link io.pgque.spring.listener.pipeline.PgqueTransactionMode#SAVEPOINT}: the whole
 * batch in one transaction; a savepoint before each call, rolled back when the call
 * fails, so the ack commits together with the writes of every handler that succeeded and
 * none of those that failed. Savepoints are set lazily (see {@link PgqueLazySavepoints}):
 * a handler that does not use the database adds no round trip.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueSavepointBatchProcessor extends AbstractPgqueBatchProcessor {

	PgqueSavepointBatchProcessor(PgqueBatchContext context) {
		super(context);
	}

	@Override
	protected PgqueBatchResult process() {
		PgqueBatchResult result = this.context.transactions().execute((status) -> {
			PgqueOpenBatch batch = open();
			if (batch == null) {
				return PgqueBatchResult.NONE;
			}
			PgqueLazySavepoints savepoints = new PgqueLazySavepoints(this.jdbc.dataSource()).open();
			Around around = savepoints::run;
			Runnable afterFailure = savepoints::rollbackLastCall;
			Dispatched dispatched;
			try {
				dispatched = dispatch(batch, (batchId, unit) -> runWithRetry(batchId, unit, around, afterFailure));
			}
			finally {
				savepoints.close();
			}
			return complete(dispatched);
		});
		return (result != null) ? result : PgqueBatchResult.NONE;
	}

}
