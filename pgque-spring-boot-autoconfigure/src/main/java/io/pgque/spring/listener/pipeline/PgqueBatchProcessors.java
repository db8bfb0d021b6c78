package io.pgque.spring.listener.pipeline;

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
	 * The mode a container runs in. {@link PgqueTransactionMode#AUTO} stands for
	 * savepoints with a {@link DataSourceTransactionManager}, replay otherwise.
	 * {@link PgqueTransactionMode#SAVEPOINT} is refused with any other transaction
	 * manager: rolling back to a savepoint only undoes what already reached the
	 * connection, while a manager such as JPA's holds a failed message's writes in its
	 * persistence context and flushes them with the commit (and the ack).
	 * @param mode the configured mode
	 * @param transactionManager the container's transaction manager
	 * @param listeners the container's listener methods and consumer, for the error
	 * message
	 * @return the effective mode
	 * @throws IllegalStateException if the mode is {@code SAVEPOINT} and the transaction
	 * manager cannot honour it
	 */
	public static PgqueTransactionMode resolve(PgqueTransactionMode mode, PlatformTransactionManager transactionManager,
			String listeners) {
		boolean savepoints = transactionManager instanceof DataSourceTransactionManager;
		if (mode == PgqueTransactionMode.SAVEPOINT && !savepoints) {
			throw new IllegalStateException("Transaction mode SAVEPOINT of " + listeners
					+ " needs a DataSourceTransactionManager, but the container's transaction manager ("
					+ transactionManager.getClass().getName() + ") cannot keep a failed message's writes out of"
					+ " the commit by rolling back to a savepoint (JPA, for one, flushes them from its persistence"
					+ " context); set pgque.listener.transaction-mode to 'replay' or 'auto'");
		}
		if (mode != PgqueTransactionMode.AUTO) {
			return mode;
		}
		return savepoints ? PgqueTransactionMode.SAVEPOINT : PgqueTransactionMode.REPLAY;
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
