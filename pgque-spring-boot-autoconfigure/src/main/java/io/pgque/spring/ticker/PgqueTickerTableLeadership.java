package io.pgque.spring.ticker;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import io.pgque.spring.lease.PgqueLeaseOptions;
import io.pgque.spring.lease.PgqueLeaseOwner;
import org.jspecify.annotations.Nullable;

/**
 * Leadership of the embedded ticker as the ticker row of {@code pgque.lease}: works
 * through a pooler in transaction mode, and no login without a PgQue role can hold it.
 * The leader renews the row when it hands out its connection and a heartbeat is due (the
 * loop asks for the connection at every tick); a leader that finds the row expired or
 * taken over gives up at once. A dead leader is replaced once the row expires.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueTickerTableLeadership extends PgqueTickerLeadership {

	private final DataSource dataSource;

	private final int networkTimeoutMillis;

	private final PgqueLeaseOptions lease;

	private final String owner = PgqueLeaseOwner.newName("ticker");

	private @Nullable Connection connection;

	private long epoch;

	private long renewedNanos;

	private boolean lost;

	PgqueTickerTableLeadership(DataSource dataSource, Duration networkTimeout, PgqueLeaseOptions lease) {
		this.dataSource = dataSource;
		this.networkTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, networkTimeout.toMillis());
		this.lease = lease;
	}

	@Override
	boolean isLeader() {
		return this.connection != null && !this.lost;
	}

	@Override
	Connection connection() {
		Connection current = this.connection;
		if (current == null || this.lost) {
			throw new IllegalStateException("Not the PgQue ticker leader");
		}
		if (System.nanoTime() - this.renewedNanos >= this.lease.heartbeatInterval().toNanos()) {
			renew(current);
		}
		return current;
	}

	private void renew(Connection current) {
		long started = System.nanoTime();
		try (PreparedStatement statement = current
			.prepareStatement("SELECT pgque.ticker_lease_renew(?, ?, make_interval(secs => ?))")) {
			statement.setString(1, this.owner);
			statement.setLong(2, this.epoch);
			statement.setDouble(3, seconds(this.lease.ttl()));
			try (ResultSet rows = statement.executeQuery()) {
				this.lost = !(rows.next() && rows.getBoolean(1));
			}
		}
		catch (SQLException ex) {
			this.lost = System.nanoTime() - this.renewedNanos >= this.lease.ttl().toNanos();
			throw new IllegalStateException("Could not renew the PgQue ticker lease", ex);
		}
		if (this.lost) {
			throw new IllegalStateException("The PgQue ticker lease expired or was taken over");
		}
		this.renewedNanos = started;
	}

	@Override
	boolean tryAcquire() throws SQLException {
		if (isLeader()) {
			return true;
		}
		release();
		long started = System.nanoTime();
		Connection candidate = this.dataSource.getConnection();
		Long taken = null;
		try {
			candidate.setAutoCommit(true);
			candidate.setNetworkTimeout(Runnable::run, this.networkTimeoutMillis);
			try (PreparedStatement statement = candidate
				.prepareStatement("SELECT pgque.ticker_lease_take(?, make_interval(secs => ?))")) {
				statement.setString(1, this.owner);
				statement.setDouble(2, seconds(this.lease.ttl()));
				try (ResultSet rows = statement.executeQuery()) {
					rows.next();
					long epochTaken = rows.getLong(1);
					taken = rows.wasNull() ? null : epochTaken;
				}
			}
		}
		finally {
			if (taken == null) {
				candidate.close();
			}
		}
		if (taken == null) {
			return false;
		}
		this.connection = candidate;
		this.epoch = taken;
		this.renewedNanos = started;
		this.lost = false;
		return true;
	}

	@Override
	boolean isConnectionAlive() {
		return !this.lost && isAlive(this.connection);
	}

	@Override
	void release() {
		Connection current = this.connection;
		if (current == null) {
			return;
		}
		this.connection = null;
		try (current) {
			if (!this.lost) {
				try (PreparedStatement statement = current
					.prepareStatement("SELECT pgque.ticker_lease_release(?, ?)")) {
					statement.setString(1, this.owner);
					statement.setLong(2, this.epoch);
					statement.setQueryTimeout(2);
					statement.execute();
				}
			}
		}
		catch (SQLException | RuntimeException ex) {
			// the row expires by itself
		}
	}

	private static double seconds(Duration duration) {
		return duration.toMillis() / 1000.0;
	}

}
