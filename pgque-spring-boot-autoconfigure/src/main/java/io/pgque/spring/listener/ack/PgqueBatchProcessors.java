package io.pgque.spring.listener.ack;

import io.pgque.spring.listener.PgqueTransactionMode;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Creates the {@link PgqueBatchProcessor} of a transaction mode.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueBatchProcessors {

	private PgqueBatchProcessors() {
	}

	/**
	 * The mode {@link PgqueTransactionMode#AUTO} stands for with a transaction manager:
	 * savepoints with a {@link DataSourceTransactionManager}, replay otherwise.
	 * @param mode the configured mode
	 * @param transactionManager the container's transaction manager
	 * @return the effective mode
	 */
	public static PgqueTransactionMode resolve(PgqueTransactionMode mode,
			PlatformTransactionManager transactionManager) {
		if (mode != PgqueTransactionMode.AUTO) {
			return mode;
		}
		return (transactionManager instanceof DataSourceTransactionManager) ? PgqueTransactionMode.SAVEPOINT
				: PgqueTransactionMode.REPLAY;
	}

	/**
	 * Create the processor.
	 * @param mode the effective mode (not {@code AUTO})
	 * @param context what it works with
	 * @return the processor
	 */
	public static PgqueBatchProcessor create(PgqueTransactionMode mode, PgqueBatchContext context) {
		return switch (mode) {
			case SAVEPOINT -> new PgqueSavepointBatchProcessor(context);
			case REPLAY -> new PgqueReplayBatchProcessor(context);
			case AT_LEAST_ONCE -> new PgqueAtLeastOnceBatchProcessor(context);
			case AUTO -> throw new IllegalArgumentException("Resolve AUTO first");
		};
	}

}
