package io.pgque.spring.ticker;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

/**
 * Leadership of the embedded ticker: a session advisory lock held on one dedicated
 * connection for as long as this instance ticks. An instance that is not the leader
 * borrows a connection only for the moment of one {@code pg_try_advisory_lock} call.
 * <p>
 * The lock is released by PostgreSQL when the leader's session ends, so a crashed or
 * disconnected leader frees it without any help. Not thread-safe: only the ticker's loop
 * thread uses it.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueTickerAdvisoryLeadership extends PgqueTickerLeadership {

	private final DataSource dataSource;

	private final int networkTimeoutMillis;

	private @Nullable Connection connection;

	PgqueTickerAdvisoryLeadership(DataSource dataSource, Duration networkTimeout) {
		this.dataSource = dataSource;
		this.networkTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, networkTimeout.toMillis());
	}

	@Override
	boolean isLeader() {
		return this.connection != null;
	}

	/**
	 * The leader's connection, in autocommit mode.
	 * @return the connection
	 * @throws IllegalStateException when this instance is not the leader
	 */
	@Override
	Connection connection() {
		Connection current = this.connection;
		if (current == null) {
			throw new IllegalStateException("Not the PgQue ticker leader");
		}
		return current;
	}

	/**
	 * Try to become the leader.
	 * @return whether this instance is the leader now
	 * @throws SQLException when the database cannot be reached
	 */
	@Override
	boolean tryAcquire() throws SQLException {
		if (this.connection != null) {
			return true;
		}
		Connection candidate = this.dataSource.getConnection();
		boolean acquired = false;
		try {
			candidate.setAutoCommit(true);
			// a dead server must not hang the loop; the pool restores the timeout on
			// return
			candidate.setNetworkTimeout(Runnable::run, this.networkTimeoutMillis);
			acquired = tryLock(candidate);
		}
		finally {
			if (!acquired) {
				candidate.close();
			}
		}
		if (acquired) {
			this.connection = candidate;
		}
		return acquired;
	}

	private boolean tryLock(Connection candidate) throws SQLException {
		try (PreparedStatement statement = candidate.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
			statement.setInt(1, LOCK_CLASS_ID);
			statement.setInt(2, LOCK_OBJECT_ID);
			try (ResultSet rows = statement.executeQuery()) {
				return rows.next() && rows.getBoolean(1);
			}
		}
	}

	/**
	 * Whether the leader's connection still works.
	 * @return whether the connection is alive
	 */
	@Override
	boolean isConnectionAlive() {
		return isAlive(this.connection);
	}

	/**
	 * Give up leadership: unlock and hand the connection back. When unlocking fails the
	 * session is broken (so PostgreSQL already dropped the lock) or cannot be trusted,
	 * and the connection is aborted rather than returned with the lock still held.
	 */
	@Override
	void release() {
		Connection current = this.connection;
		if (current == null) {
			return;
		}
		this.connection = null;
		try {
			unlock(current);
		}
		catch (SQLException | RuntimeException ex) {
			abort(current);
		}
		try {
			current.close();
		}
		catch (SQLException ex) {
			// the session is gone; nothing left to release
		}
	}

	private void unlock(Connection current) throws SQLException {
		try (PreparedStatement statement = current.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
			statement.setInt(1, LOCK_CLASS_ID);
			statement.setInt(2, LOCK_OBJECT_ID);
			statement.setQueryTimeout(2);
			statement.execute();
		}
	}

	private void abort(Connection current) {
		try {
			current.abort(Runnable::run);
		}
		catch (SQLException | RuntimeException ex) {
			// best effort: the server ends the session, and the lock with it
		}
	}

}
