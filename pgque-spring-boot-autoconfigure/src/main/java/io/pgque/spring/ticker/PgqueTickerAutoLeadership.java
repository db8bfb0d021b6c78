package io.pgque.spring.ticker;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import io.pgque.spring.lease.PgqueLeaseMode;
import io.pgque.spring.lease.PgqueLeaseModeDetector;
import io.pgque.spring.lease.PgqueLeaseOptions;
import org.jspecify.annotations.Nullable;

/**
 * Leadership for {@code pgque.lease.mode=auto}: decides advisory or table on the loop's
 * first attempt (so a database that is down at start only delays the ticker, like any
 * other outage), then delegates.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueTickerAutoLeadership extends PgqueTickerLeadership {

	private final DataSource dataSource;

	private final Duration networkTimeout;

	private final PgqueLeaseOptions lease;

	private @Nullable PgqueTickerLeadership delegate;

	PgqueTickerAutoLeadership(DataSource dataSource, Duration networkTimeout, PgqueLeaseOptions lease) {
		this.dataSource = dataSource;
		this.networkTimeout = networkTimeout;
		this.lease = lease;
	}

	@Override
	boolean isLeader() {
		PgqueTickerLeadership current = this.delegate;
		return current != null && current.isLeader();
	}

	@Override
	Connection connection() {
		PgqueTickerLeadership current = this.delegate;
		if (current == null) {
			throw new IllegalStateException("Not the PgQue ticker leader");
		}
		return current.connection();
	}

	@Override
	boolean tryAcquire() throws SQLException {
		PgqueTickerLeadership current = this.delegate;
		if (current == null) {
			PgqueLeaseMode mode = PgqueLeaseModeDetector.resolve(this.dataSource, PgqueLeaseMode.AUTO);
			current = PgqueTickerLeadership.create(this.dataSource, this.networkTimeout, this.lease.withMode(mode));
			this.delegate = current;
		}
		return current.tryAcquire();
	}

	@Override
	boolean isConnectionAlive() {
		PgqueTickerLeadership current = this.delegate;
		return current != null && current.isConnectionAlive();
	}

	@Override
	void release() {
		PgqueTickerLeadership current = this.delegate;
		if (current != null) {
			current.release();
		}
	}

}
