package io.pgque.spring.listener.source;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;

import javax.sql.DataSource;

import io.pgque.spring.lease.PgqueLeaseModeDetector;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * One connection per application that LISTENs on the {@code pgque_<queue>} channel of
 * every queue with a running container, and wakes those containers when a tick lands.
 * <p>
 * Idle containers therefore send no queries: they wait for a wake-up, with only a slow
 * poll as a fallback for lost notifications. After the connection is lost and opened
 * again, every registered container is woken once, since notifications may have been
 * missed in between.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueNotificationListener implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(PgqueNotificationListener.class);

	private static final int WAIT_MILLIS = 500;

	private static final long RECONNECT_DELAY_MILLIS = 1000;

	private final DataSource dataSource;

	private final PgqueNotificationMode mode;

	private final Duration pollInterval;

	private final Map<String, List<Runnable>> listeners = new ConcurrentHashMap<>();

	private final Set<String> pendingListens = ConcurrentHashMap.newKeySet();

	private final Set<String> listening = ConcurrentHashMap.newKeySet();

	private final Object monitor = new Object();

	private @Nullable Thread thread;

	private volatile boolean running;

	private final ThreadFactory threadFactory;

	private volatile boolean polling;

	/**
	 * LISTEN on the DataSource's connections, or poll when they go through a pooler that
	 * shares sessions (every second), on a daemon platform thread.
	 * @param dataSource where to LISTEN
	 */
	public PgqueNotificationListener(DataSource dataSource) {
		this(dataSource, PgqueNotificationMode.AUTO, Duration.ofSeconds(1), (task) -> {
			Thread thread = new Thread(task);
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Wake containers as {@code mode} says.
	 * @param dataSource where to LISTEN (a direct connection: a pooler in transaction
	 * mode does not deliver notifications)
	 * @param mode listen, poll, or decide on the first connection
	 * @param pollInterval how often to wake every container when polling
	 * @param threadFactory creates the listening thread (virtual or platform, as the
	 * application's threads)
	 */
	public PgqueNotificationListener(DataSource dataSource, PgqueNotificationMode mode, Duration pollInterval,
			ThreadFactory threadFactory) {
		if (pollInterval.isNegative() || pollInterval.isZero()) {
			throw new IllegalArgumentException(
					"pgque.listener.notification-poll-interval must be positive, got " + pollInterval);
		}
		this.dataSource = dataSource;
		this.mode = mode;
		this.pollInterval = pollInterval;
		this.threadFactory = threadFactory;
	}

	/**
	 * The notification channel of a queue.
	 * @param queue the queue
	 * @return the channel name
	 */
	public static String channel(String queue) {
		return "pgque_" + queue;
	}

	/**
	 * Call {@code wakeUp} whenever the queue gets a tick. Returns at once; the LISTEN
	 * happens on the listener's thread, which then calls {@code wakeUp} once, since a
	 * tick may have landed before the LISTEN was in place.
	 * @param queue the queue
	 * @param wakeUp what to run, on the listener's thread; must be quick
	 * @return a handle that stops the calls when closed
	 */
	public Registration register(String queue, Runnable wakeUp) {
		String channel = channel(queue);
		this.listeners.computeIfAbsent(channel, (key) -> new CopyOnWriteArrayList<>()).add(wakeUp);
		if (!this.listening.contains(channel)) {
			this.pendingListens.add(channel);
		}
		startIfNeeded();
		return () -> {
			List<Runnable> list = this.listeners.get(channel);
			if (list != null) {
				list.remove(wakeUp);
			}
		};
	}

	private void startIfNeeded() {
		synchronized (this.monitor) {
			if (this.thread == null) {
				this.running = true;
				Thread listener = this.threadFactory.newThread(this::run);
				listener.setName("pgque-notifications");
				this.thread = listener;
				listener.start();
			}
		}
	}

	private void run() {
		if (polls()) {
			this.polling = true;
			poll();
			return;
		}
		while (this.running) {
			try (Connection connection = this.dataSource.getConnection()) {
				try {
					serve(connection);
				}
				catch (SQLException | RuntimeException ex) {
					// getNotifications ran out of the pool's sight
					PgqueBrokenConnections.reveal(connection);
					throw ex;
				}
			}
			catch (SQLException | RuntimeException ex) {
				if (this.running) {
					logger.warn("PgQue notification connection failed; reconnecting (containers fall back to polling"
							+ " meanwhile): " + ex);
					sleepBeforeReconnect();
				}
			}
		}
	}

	// decides AUTO on the first connection that works
	private boolean polls() {
		if (this.mode != PgqueNotificationMode.AUTO) {
			return this.mode == PgqueNotificationMode.POLL;
		}
		while (this.running) {
			try {
				boolean pooled = PgqueLeaseModeDetector.throughPooler(this.dataSource);
				if (pooled) {
					logger.info("PgQue notifications: the connection goes through a pooler, where"
							+ " LISTEN hears nothing; idle containers poll every " + this.pollInterval.toMillis()
							+ " ms instead (set pgque.listener.notification-url to LISTEN on a direct connection)");
				}
				return pooled;
			}
			catch (SQLException | RuntimeException ex) {
				logger.warn("PgQue notification connection failed; retrying (containers fall back to polling"
						+ " meanwhile): " + ex);
				sleepBeforeReconnect();
			}
		}
		return false;
	}

	// wakes every container at the interval; an idle container's look costs one read
	private void poll() {
		while (this.running) {
			try {
				Thread.sleep(this.pollInterval.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			wakeEverybody();
		}
	}

	// LISTENs on every channel, then waits for notifications until stopped or failed
	private void serve(Connection connection) throws SQLException {
		connection.setAutoCommit(true);
		try (Statement st = connection.createStatement()) {
			st.execute("SET application_name = 'pgque-notifications'");
		}
		boolean reconnected = !this.listening.isEmpty();
		for (String channel : new ArrayList<>(this.listening)) {
			listen(connection, channel);
		}
		if (reconnected) {
			wakeEverybody();
		}
		PGConnection pg = connection.unwrap(PGConnection.class);
		while (this.running) {
			listenPending(connection);
			PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
			if (notifications != null) {
				for (PGNotification notification : notifications) {
					wake(notification.getName());
				}
			}
		}
	}

	private void listenPending(Connection connection) throws SQLException {
		for (String channel : this.pendingListens) {
			listen(connection, channel);
			this.listening.add(channel);
			this.pendingListens.remove(channel);
			wake(channel);
		}
	}

	private static void listen(Connection connection, String channel) throws SQLException {
		try (Statement st = connection.createStatement()) {
			st.execute("LISTEN \"" + channel.replace("\"", "\"\"") + "\"");
		}
	}

	private void wake(String channel) {
		List<Runnable> list = this.listeners.get(channel);
		if (list != null) {
			list.forEach(Runnable::run);
		}
	}

	private void wakeEverybody() {
		this.listeners.values().forEach((list) -> list.forEach(Runnable::run));
	}

	private void sleepBeforeReconnect() {
		try {
			Thread.sleep(RECONNECT_DELAY_MILLIS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.running = false;
		}
	}

	/**
	 * Stop listening and close the connection.
	 */
	@Override
	public void close() {
		Thread current;
		synchronized (this.monitor) {
			this.running = false;
			current = this.thread;
			this.thread = null;
		}
		if (current != null) {
			if (this.polling) {
				// asleep for up to the poll interval, and holding no connection
				current.interrupt();
			}
			try {
				current.join(WAIT_MILLIS * 4L);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * A registered wake-up; closing it stops the calls.
	 */
	@FunctionalInterface
	public interface Registration extends AutoCloseable {

		@Override
		void close();

	}

}
