package io.pgque.spring.listener.pipeline;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Savepoints that cost nothing for handlers that do not touch the database: while a
 * handler runs, the batch transaction's connection is exposed through a holder that sets
 * the savepoint the first time anything (a JdbcTemplate, the PgqueTemplate, ...) asks for
 * the connection. A handler that never asks has nothing to roll back.
 * <p>
 * The previous message's savepoint is released in the same round trip as the next one is
 * set. The transaction manager must bind its connection under the PgQue DataSource (a
 * {@code DataSourceTransactionManager} on that DataSource does).
 *
 * @author pgque-spring-boot authors
 */
final class PgqueLazySavepoints {

	static final String NAME = "pgque_listener_msg";

	private final DataSource dataSource;

	private boolean outstanding;

	private boolean setForCurrent;

	private @Nullable ConnectionHolder original;

	private @Nullable SavepointOnFirstUse guarded;

	private @Nullable Connection connection;

	PgqueLazySavepoints(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	/**
	 * Expose the transaction's connection through the savepoint-setting holder until
	 * {@link #close()}.
	 * @return this, to close after the batch's calls
	 */
	PgqueLazySavepoints open() {
		Object bound = TransactionSynchronizationManager.getResource(this.dataSource);
		if (!(bound instanceof ConnectionHolder holder)) {
			throw new IllegalStateException("No transaction bound to the PgQue DataSource");
		}
		this.original = holder;
		this.connection = holder.getConnection();
		this.guarded = new SavepointOnFirstUse(this.connection, this);
		this.guarded.setSynchronizedWithTransaction(true);
		TransactionSynchronizationManager.unbindResource(this.dataSource);
		TransactionSynchronizationManager.bindResource(this.dataSource, this.guarded);
		return this;
	}

	/**
	 * Put the transaction's own holder back.
	 */
	void close() {
		if (this.original != null) {
			TransactionSynchronizationManager.unbindResource(this.dataSource);
			TransactionSynchronizationManager.bindResource(this.dataSource, this.original);
			this.original = null;
		}
	}

	/**
	 * Run a handler call, setting a savepoint before its first use of the connection.
	 * @param call the call
	 * @throws Exception what the call throws
	 */
	void run(Call call) throws Exception {
		SavepointOnFirstUse holder = this.guarded;
		if (holder == null) {
			throw new IllegalStateException("Not open");
		}
		this.setForCurrent = false;
		holder.armed = true;
		try {
			call.run();
		}
		finally {
			holder.armed = false;
		}
	}

	/**
	 * Undo what the last call did in the database, if it did anything.
	 */
	void rollbackLastCall() {
		Connection connection = this.connection;
		if (this.setForCurrent && connection != null) {
			execute(connection, "ROLLBACK TO SAVEPOINT " + NAME);
		}
	}

	private void setSavepoint(Connection connection) {
		execute(connection,
				this.outstanding ? "RELEASE SAVEPOINT " + NAME + "; SAVEPOINT " + NAME : "SAVEPOINT " + NAME);
		this.outstanding = true;
		this.setForCurrent = true;
	}

	private static void execute(Connection connection, String sql) {
		try (Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new TransactionSystemException("Could not run '" + sql + "'", ex);
		}
	}

	/**
	 * A handler call.
	 */
	@FunctionalInterface
	interface Call {

		void run() throws Exception;

	}

	/**
	 * Hands out the transaction's connection, setting the savepoint on first use.
	 */
	private static final class SavepointOnFirstUse extends ConnectionHolder {

		private final PgqueLazySavepoints savepoints;

		private boolean armed;

		SavepointOnFirstUse(Connection connection, PgqueLazySavepoints savepoints) {
			super(connection, true);
			this.savepoints = savepoints;
		}

		@Override
		public Connection getConnection() {
			Connection connection = super.getConnection();
			if (this.armed) {
				this.armed = false;
				this.savepoints.setSavepoint(connection);
			}
			return connection;
		}

	}

}
