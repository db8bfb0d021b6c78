package io.pgque.spring.ticker;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The engine calls the embedded ticker makes, each in its own transaction on an
 * autocommit connection (the engine needs them separate: a tick must not share a
 * transaction with the events or retries it should include, and rotation's two steps must
 * commit apart).
 *
 * @author pgque-spring-boot authors
 */
final class PgqueTickerStatements {

	// maint_retry_events() moves at most 10 events per call; this bounds one pass so
	// that a large backlog of due retries cannot hold up ticking
	private static final int MAX_RETRY_CALLS_PER_PASS = 50;

	private static final long MIN_RETRY_WAIT_NANOS = 10_000_000;

	private final int queryTimeoutSeconds;

	private @Nullable Boolean delayedDelivery;

	PgqueTickerStatements(int queryTimeoutSeconds) {
		this.queryTimeoutSeconds = queryTimeoutSeconds;
	}

	/**
	 * Tick every queue that is due.
	 * @param connection the leader's connection
	 * @return how many queues got a tick
	 * @throws SQLException on failure
	 */
	long tick(Connection connection) throws SQLException {
		// due delayed events in a transaction of their own, before the tick that is to
		// carry them; an engine without send_at (upstream's default install) skips it
		if (this.delayedDelivery == null) {
			this.delayedDelivery = queryLong(connection, "SELECT count(*) FROM pg_catalog.pg_proc WHERE oid = "
					+ "pg_catalog.to_regprocedure('pgque.maint_deliver_delayed()')") > 0;
		}
		if (this.delayedDelivery) {
			queryLong(connection, "SELECT pgque.maint_deliver_delayed()");
		}
		return queryLong(connection, "SELECT pgque.ticker()");
	}

	/**
	 * Move due retries back into their queues.
	 * @param connection the leader's connection
	 * @return nanoseconds until the next retry falls due: 0 when due retries may remain
	 * (the pass stopped at its bound), {@link Long#MAX_VALUE} when none waits
	 * @throws SQLException on failure
	 */
	long moveRetries(Connection connection) throws SQLException {
		for (int call = 0; call < MAX_RETRY_CALLS_PER_PASS; call++) {
			if (queryLong(connection, "SELECT pgque.maint_retry_events()") == 0) {
				return nanosUntilNextRetry(connection);
			}
		}
		return 0;
	}

	// lets the mover wake when the next retry falls due, so a 2-second nack comes back
	// after about 2 seconds rather than up to one retry period later
	private long nanosUntilNextRetry(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.setQueryTimeout(this.queryTimeoutSeconds);
			try (ResultSet rows = statement.executeQuery("SELECT (extract(epoch FROM min(ev_retry_after) - now()) "
					+ "* 1000000000)::bigint FROM pgque.retry_queue")) {
				if (!rows.next()) {
					return Long.MAX_VALUE;
				}
				long nanos = rows.getLong(1);
				// never a hot loop, even if a due row could not be moved
				return rows.wasNull() ? Long.MAX_VALUE : Math.max(MIN_RETRY_WAIT_NANOS, nanos);
			}
		}
	}

	/**
	 * Rotate the event tables of every queue that is due (step 1 per queue, then step 2
	 * in a later transaction) and run the engine's other maintenance.
	 * @param connection the leader's connection
	 * @throws SQLException on failure
	 */
	void maintain(Connection connection) throws SQLException {
		for (String queue : queuesDueForRotation(connection)) {
			try (PreparedStatement statement = connection
				.prepareStatement("SELECT pgque.maint_rotate_tables_step1(?)")) {
				statement.setQueryTimeout(this.queryTimeoutSeconds);
				statement.setString(1, queue);
				statement.execute();
			}
		}
		queryLong(connection, "SELECT pgque.maint_rotate_tables_step2()");
		queryLong(connection, "SELECT pgque.maint()");
	}

	private List<String> queuesDueForRotation(Connection connection) throws SQLException {
		List<String> queues = new ArrayList<>();
		try (Statement statement = connection.createStatement()) {
			statement.setQueryTimeout(this.queryTimeoutSeconds);
			try (ResultSet rows = statement.executeQuery("SELECT func_arg FROM pgque.maint_operations() "
					+ "WHERE func_name = 'pgque.maint_rotate_tables_step1'")) {
				while (rows.next()) {
					queues.add(rows.getString(1));
				}
			}
		}
		return queues;
	}

	private long queryLong(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.setQueryTimeout(this.queryTimeoutSeconds);
			try (ResultSet rows = statement.executeQuery(sql)) {
				return rows.next() ? rows.getLong(1) : 0;
			}
		}
	}

}
