package io.pgque.spring.listener.source;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.pgque.spring.core.PgqueSql;
import io.pgque.spring.lease.PgqueLeaseOptions;
import io.pgque.spring.lease.PgqueLeaseOwner;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Leases as rows of {@code pgque.lease}: taken with {@code lease_acquire}, renewed for
 * every held lease of this owner by one heartbeat statement, checked by epoch in the
 * statements that open and finish a batch. Needs no session state, so it works through a
 * pooler in transaction mode.
 * <p>
 * A lease the heartbeat no longer finds (expired while this JVM stalled, or taken over)
 * is marked lost; so is every lease when heartbeats have failed for a whole ttl, since
 * the server lets them expire then. The server's epoch check decides either way; the
 * local flag only makes the container stand by sooner.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueTableLeases implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(PgqueTableLeases.class);

	private final PgqueLeaseConnection connection;

	// the heartbeat's thread
	private final ThreadFactory threads;

	private final PgqueLeaseOptions options;

	private final String owner = PgqueLeaseOwner.newName("listener");

	private final Set<Hold> held = ConcurrentHashMap.newKeySet();

	private final Object monitor = new Object();

	private @Nullable ScheduledExecutorService heartbeat;

	PgqueTableLeases(DataSource dataSource, PgqueLeaseOptions options, ThreadFactory threads) {
		this.connection = new PgqueLeaseConnection(dataSource, "pgque-lease");
		this.options = options;
		this.threads = threads;
	}

	String owner() {
		return this.owner;
	}

	/**
	 * Try to take the lease of (queue, consumer).
	 * @param queue the queue
	 * @param consumer the consumer
	 * @return the acquisition, or {@code null} if another owner holds it
	 * @throws SQLException if the database cannot be reached
	 */
	@Nullable Hold tryAcquire(String queue, String consumer) throws SQLException {
		// taken under the connection's lock, like a heartbeat's start: a heartbeat that
		// began before this acquisition ran cannot count it as missing
		long[] started = new long[1];
		Long epoch = this.connection.use((con, generation) -> {
			started[0] = System.nanoTime();
			try (PreparedStatement ps = con.prepareStatement(PgqueSql.LEASE_ACQUIRE)) {
				ps.setString(1, queue);
				ps.setString(2, consumer);
				ps.setString(3, this.owner);
				ps.setDouble(4, this.options.ttl().toMillis() / 1000.0);
				try (ResultSet rs = ps.executeQuery()) {
					rs.next();
					long taken = rs.getLong(1);
					return rs.wasNull() ? null : taken;
				}
			}
		});
		if (epoch == null) {
			return null;
		}
		Hold hold = new Hold(queue, consumer, epoch, started[0]);
		this.held.add(hold);
		startHeartbeat();
		return hold;
	}

	private void startHeartbeat() {
		synchronized (this.monitor) {
			if (this.heartbeat == null) {
				ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(this.threads);
				long period = this.options.heartbeatInterval().toMillis();
				executor.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
				this.heartbeat = executor;
			}
		}
	}

	/**
	 * One heartbeat: renew every held lease in one statement, mark the missing ones lost.
	 */
	void renew() {
		if (this.held.isEmpty()) {
			return;
		}
		long[] started = new long[1];
		try {
			Set<String> renewed = this.connection.use((con, generation) -> {
				started[0] = System.nanoTime();
				try (PreparedStatement ps = con.prepareStatement(PgqueSql.LEASE_RENEW)) {
					ps.setString(1, this.owner);
					ps.setDouble(2, this.options.ttl().toMillis() / 1000.0);
					Set<String> rows = new HashSet<>();
					try (ResultSet rs = ps.executeQuery()) {
						while (rs.next()) {
							rows.add(Hold.id(rs.getString(1), rs.getString(2), rs.getLong(3)));
						}
					}
					return rows;
				}
			});
			for (Hold hold : this.held) {
				if (renewed.contains(hold.id())) {
					hold.renewedNanos = started[0];
				}
				else if (hold.renewedNanos - started[0] < 0) {
					// taken before this heartbeat began, and not renewed by it
					logger.warn("PgQue " + hold + " expired or was taken over; its container stands by");
					hold.markLost();
				}
			}
		}
		catch (SQLException | RuntimeException ex) {
			long now = System.nanoTime();
			for (Hold hold : this.held) {
				if (now - hold.renewedNanos >= this.options.ttl().toNanos()) {
					logger.warn("PgQue " + hold + " could not be renewed for " + this.options.ttl()
							+ " and has expired: " + ex);
					hold.markLost();
				}
			}
			logger.debug("PgQue lease heartbeat failed", ex);
		}
	}

	@Override
	public void close() {
		synchronized (this.monitor) {
			if (this.heartbeat != null) {
				this.heartbeat.shutdownNow();
				this.heartbeat = null;
			}
		}
		for (Hold hold : this.held) {
			hold.release();
		}
		this.connection.close();
	}

	/**
	 * A table lease at one epoch.
	 */
	final class Hold implements PgqueLeaseHold {

		private final String queue;

		private final String consumer;

		private final long epoch;

		private volatile long renewedNanos;

		private volatile boolean lost;

		Hold(String queue, String consumer, long epoch, long renewedNanos) {
			this.queue = queue;
			this.consumer = consumer;
			this.epoch = epoch;
			this.renewedNanos = renewedNanos;
		}

		static String id(String queue, String consumer, long epoch) {
			return queue + "\0" + consumer + "\0" + epoch;
		}

		String id() {
			return id(this.queue, this.consumer, this.epoch);
		}

		long epoch() {
			return this.epoch;
		}

		void markLost() {
			this.lost = true;
			PgqueTableLeases.this.held.remove(this);
		}

		@Override
		public boolean isValid() {
			return !this.lost && System.nanoTime() - this.renewedNanos < PgqueTableLeases.this.options.ttl().toNanos();
		}

		@Override
		public void release() {
			boolean wasHeld = PgqueTableLeases.this.held.remove(this);
			this.lost = true;
			if (!wasHeld) {
				return;
			}
			try {
				PgqueTableLeases.this.connection.use((con, generation) -> {
					try (PreparedStatement ps = con.prepareStatement(PgqueSql.LEASE_RELEASE)) {
						ps.setString(1, this.queue);
						ps.setString(2, this.consumer);
						ps.setString(3, PgqueTableLeases.this.owner);
						ps.setLong(4, this.epoch);
						ps.executeQuery().close();
						return null;
					}
				});
			}
			catch (SQLException ex) {
				logger.debug("Could not release " + this + "; it expires by itself", ex);
			}
		}

		@Override
		public String toString() {
			return "lease " + this.queue + "/" + this.consumer + " (epoch " + this.epoch + ")";
		}

	}

}
