package io.pgque.spring.listener.ack;

import java.sql.Connection;

import javax.sql.DataSource;

import io.pgque.spring.listener.adapter.PgqueDispatchUnit;
import io.pgque.spring.listener.source.PgqueOpenBatch;

import org.springframework.jdbc.datasource.DataSourceUtils;

/**
 * {@link io.pgque.spring.listener.PgqueTransactionMode#SAVEPOINT}: the whole batch in one
 * transaction; a savepoint before each call, rolled back when the call fails, so the ack
 * commits together with the writes of every handler that succeeded and none of those that
 * failed. Savepoints are set lazily (see {@link PgqueLazySavepoints}): a handler that
 * does not use the database adds no round trip.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueSavepointBatchProcessor extends AbstractPgqueBatchProcessor {

	private final DataSource dataSource;

	PgqueSavepointBatchProcessor(PgqueBatchContext context) {
		super(context);
		this.dataSource = context.jdbc().dataSource();
	}

	@Override
	public PgqueBatchResult processNextBatch() {
		PgqueBatchResult result = this.context.transactions().execute((status) -> {
			PgqueOpenBatch batch = open();
			if (batch == null) {
				return PgqueBatchResult.NONE;
			}
			Connection connection = DataSourceUtils.getConnection(this.dataSource);
			PgqueLazySavepoints savepoints = new PgqueLazySavepoints(this.dataSource).open();
			Around around = savepoints::run;
			Runnable afterFailure = () -> savepoints.rollbackLastCall(connection);
			boolean acknowledged = false;
			try {
				for (PgqueDispatchUnit unit : units(batch)) {
					if (unit.handler() == null) {
						unknownType(batch.id(), unit);
						continue;
					}
					acknowledged |= runWithRetry(batch.id(), unit, around, afterFailure);
				}
			}
			finally {
				savepoints.close();
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
