package io.pgque.spring.listener.source;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.concurrent.ThreadFactory;

import javax.sql.DataSource;

import io.pgque.spring.lease.PgqueLeaseMode;
import io.pgque.spring.lease.PgqueLeaseModeDetector;
import io.pgque.spring.lease.PgqueLeaseOptions;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the leases of an application's containers, one per (queue, consumer): as session
 * advisory locks on one connection ({@link PgqueLeaseMode#ADVISORY}) or as rows of
 * {@code pgque.lease} renewed by a heartbeat ({@link PgqueLeaseMode#TABLE}).
 * {@link PgqueLeaseMode#AUTO} is decided on the first acquisition, so a database that is
 * down at start only delays the containers.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueLeaseManager implements AutoCloseable {

	private final DataSource dataSource;

	private final PgqueLeaseOptions options;

	private final Object monitor = new Object();

	private @Nullable PgqueLeaseMode mode;

	// each opens its connection on first use, so the mode not chosen costs nothing
	private final PgqueAdvisoryLeases advisory;

	private final PgqueTableLeases table;

	private final PgqueMemberHeartbeat heartbeat;

	private boolean closed;

	/**
	 * Leases with the default options ({@link PgqueLeaseOptions#defaults()}).
	 * @param dataSource where to keep them
	 */
	public PgqueLeaseManager(DataSource dataSource) {
		this(dataSource, PgqueLeaseOptions.defaults());
	}

	/**
	 * Leases with the given options.
	 * @param dataSource where to keep them
	 * @param options how
	 */
	public PgqueLeaseManager(DataSource dataSource, PgqueLeaseOptions options) {
		this(dataSource, options, platformThreads());
	}

	/**
	 * Leases with the given options, renewed (table mode) on threads of the given
	 * factory.
	 * @param dataSource where to keep them
	 * @param options how
	 * @param threads makes the table leases' heartbeat thread
	 */
	public PgqueLeaseManager(DataSource dataSource, PgqueLeaseOptions options, ThreadFactory threads) {
		this.dataSource = dataSource;
		this.options = options;
		this.advisory = new PgqueAdvisoryLeases(dataSource);
		this.table = new PgqueTableLeases(dataSource, options, threads);
		this.heartbeat = new PgqueMemberHeartbeat(dataSource);
	}

	/**
	 * The default heartbeat thread: a daemon platform thread named
	 * {@code pgque-lease-heartbeat}.
	 * @return the thread factory
	 */
	public static ThreadFactory platformThreads() {
		return (task) -> {
			Thread thread = new Thread(task, "pgque-lease-heartbeat");
			thread.setDaemon(true);
			return thread;
		};
	}

	/**
	 * The lease of one (queue, consumer).
	 * @param queue the queue
	 * @param consumer the consumer
	 * @return the lease, not yet acquired
	 */
	public PgqueLease lease(String queue, String consumer) {
		return new PgqueLease(this, queue, consumer);
	}

	/**
	 * The mode in use, deciding {@code auto} now if not yet done.
	 * @return {@link PgqueLeaseMode#ADVISORY} or {@link PgqueLeaseMode#TABLE}
	 */
	public PgqueLeaseMode mode() {
		synchronized (this.monitor) {
			PgqueLeaseMode current = this.mode;
			if (current == null) {
				current = PgqueLeaseModeDetector.resolve(this.dataSource, this.options.mode());
				this.mode = current;
			}
			return current;
		}
	}

	/**
	 * The advisory lock key of (queue, consumer): the first 8 bytes of a SHA-256, the
	 * same in every JVM.
	 * @param queue the queue
	 * @param consumer the consumer
	 * @return the key
	 */
	public static long key(String queue, String consumer) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			byte[] hash = digest.digest(("pgque-lease\0" + queue + "\0" + consumer).getBytes(StandardCharsets.UTF_8));
			return ByteBuffer.wrap(hash).getLong();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Nullable PgqueLeaseHold tryAcquire(String queue, String consumer) throws SQLException {
		synchronized (this.monitor) {
			checkOpen();
		}
		PgqueLeaseMode current;
		try {
			current = mode();
		}
		catch (IllegalStateException ex) {
			if (ex.getCause() instanceof SQLException cause) {
				throw cause;
			}
			throw ex;
		}
		if (current == PgqueLeaseMode.TABLE) {
			return this.table.tryAcquire(queue, consumer);
		}
		return this.advisory.tryAcquire(key(queue, consumer));
	}

	/**
	 * The heartbeat of cooperative members, on a session connection of its own, kept
	 * where the leases are (outside the pool when it can be).
	 * @return the heartbeat, shared by the containers of the application
	 * @throws IllegalStateException if the manager is closed
	 */
	public PgqueMemberHeartbeat memberHeartbeat() {
		synchronized (this.monitor) {
			if (this.closed) {
				throw new IllegalStateException("PgQue lease manager is closed: no member heartbeat");
			}
			return this.heartbeat;
		}
	}

	private void checkOpen() throws SQLException {
		if (this.closed) {
			throw new SQLException("PgQue lease manager is closed");
		}
	}

	/**
	 * Release every lease: advisory locks go with their connection, table leases are
	 * given up so that standbys take them at once.
	 */
	@Override
	public void close() {
		synchronized (this.monitor) {
			this.closed = true;
			this.advisory.close();
			this.table.close();
			this.heartbeat.close();
		}
	}

}
