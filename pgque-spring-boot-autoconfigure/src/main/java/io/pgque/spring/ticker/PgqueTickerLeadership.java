package io.pgque.spring.ticker;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import io.pgque.spring.lease.PgqueLeaseMode;
import io.pgque.spring.lease.PgqueLeaseOptions;
import org.jspecify.annotations.Nullable;

/**
 * Leadership of the embedded ticker: only the leader ticks. Kept as a session advisory
 * lock ({@link PgqueTickerAdvisoryLeadership}) or as a row of {@code pgque.lease}
 * ({@link PgqueTickerTableLeadership}), per {@code pgque.lease.mode}. Not thread-safe:
 * only the ticker's loop thread uses it.
 *
 * @author pgque-spring-boot authors
 */
abstract class PgqueTickerLeadership {

	/**
	 * First key of the ticker's advisory lock ({@code 'pgqu'} in ASCII). The two-key form
	 * never collides with single {@code bigint} advisory keys.
	 */
	static final int LOCK_CLASS_ID = 0x70677175;

	/**
	 * Second key of the ticker's advisory lock.
	 */
	static final int LOCK_OBJECT_ID = 1;

	static PgqueTickerLeadership create(DataSource dataSource, Duration networkTimeout, PgqueLeaseOptions lease) {
		if (lease.mode() == PgqueLeaseMode.TABLE) {
			return new PgqueTickerTableLeadership(dataSource, networkTimeout, lease);
		}
		if (lease.mode() == PgqueLeaseMode.AUTO) {
			return new PgqueTickerAutoLeadership(dataSource, networkTimeout, lease);
		}
		return new PgqueTickerAdvisoryLeadership(dataSource, networkTimeout);
	}

	abstract boolean isLeader();

	/**
	 * The leader's connection, in autocommit mode.
	 * @return the connection
	 * @throws IllegalStateException when this instance is not (or no longer) the leader
	 */
	abstract Connection connection();

	/**
	 * Try to become the leader.
	 * @return whether this instance is the leader now
	 * @throws SQLException when the database cannot be reached
	 */
	abstract boolean tryAcquire() throws SQLException;

	/**
	 * Whether the leader's connection still works and the leadership is still held.
	 * @return whether it is
	 */
	abstract boolean isConnectionAlive();

	/**
	 * Give up leadership and hand the connection back.
	 */
	abstract void release();

	static boolean isAlive(@Nullable Connection connection) {
		try {
			return connection != null && connection.isValid(2);
		}
		catch (SQLException ex) {
			return false;
		}
	}

}
