package io.pgque.spring.engine;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * Short calls into the engine for tests. Every method runs in its own autocommit
 * transaction, which is what the engine's visibility rules expect between send, tick and
 * receive.
 */
public final class EngineSql {

	private static final RowMapper<Event> EVENT = (rs, row) -> new Event(rs.getLong("ev_id"), rs.getString("ev_type"),
			rs.getString("ev_data"), (Integer) rs.getObject("ev_retry"));

	private final JdbcTemplate jdbc;

	public EngineSql(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	public JdbcTemplate jdbc() {
		return this.jdbc;
	}

	public int createQueue(String queue) {
		return this.jdbc.queryForObject("SELECT pgque.create_queue(?)", Integer.class, queue);
	}

	public int dropQueue(String queue, boolean force) {
		return this.jdbc.queryForObject("SELECT pgque.drop_queue(?, ?)", Integer.class, queue, force);
	}

	/**
	 * Register a consumer on a queue ({@code register_consumer}).
	 * @param queue the queue
	 * @param consumer the consumer
	 * @return 1 when new, 0 when it existed
	 */
	public int subscribe(String queue, String consumer) {
		return this.jdbc.queryForObject("SELECT pgque.register_consumer(?, ?)", Integer.class, queue, consumer);
	}

	public int unsubscribe(String queue, String consumer) {
		return this.jdbc.queryForObject("SELECT pgque.unregister_consumer(?, ?)", Integer.class, queue, consumer);
	}

	public long insert(String queue, String type, String data) {
		return this.jdbc.queryForObject("SELECT pgque.insert_event(?, ?, ?)", Long.class, queue, type, data);
	}

	/**
	 * Insert {@code count} events of type {@code test} with data {@code prefix1..prefixN}
	 * in one transaction.
	 * @param queue the queue
	 * @param prefix the data prefix
	 * @param count how many
	 * @return the event ids, in insert order
	 */
	public List<Long> insertMany(String queue, String prefix, int count) {
		return this.jdbc.queryForList(
				"SELECT pgque.insert_event(?, 'test', ? || i) FROM generate_series(1, ?) i ORDER BY i", Long.class,
				queue, prefix, count);
	}

	/**
	 * Force a tick: {@code force_next_tick} then {@code ticker(queue)}, in separate
	 * transactions.
	 * @param queue the queue
	 * @return the new tick id
	 */
	public long tick(String queue) {
		this.jdbc.queryForObject("SELECT pgque.force_next_tick(?)", Long.class, queue);
		Long tick = this.jdbc.queryForObject("SELECT pgque.ticker(?)", Long.class, queue);
		if (tick == null) {
			throw new IllegalStateException("ticker(" + queue + ") made no tick after force_next_tick");
		}
		return tick;
	}

	public @Nullable Long nextBatch(String queue, String consumer) {
		return this.jdbc.queryForObject("SELECT pgque.next_batch(?, ?)", Long.class, queue, consumer);
	}

	public List<Event> batchEvents(long batchId) {
		return this.jdbc.query("SELECT * FROM pgque.get_batch_events(?)", EVENT, batchId);
	}

	public int finishBatch(long batchId) {
		return this.jdbc.queryForObject("SELECT pgque.finish_batch(?)", Integer.class, batchId);
	}

	/**
	 * One round: next batch, its events, finish. Empty when there is no batch.
	 * @param queue the queue
	 * @param consumer the consumer
	 * @return the batch's events
	 */
	public List<Event> consumeOnce(String queue, String consumer) {
		Long batch = nextBatch(queue, consumer);
		if (batch == null) {
			return List.of();
		}
		List<Event> events = batchEvents(batch);
		finishBatch(batch);
		return events;
	}

	/**
	 * Tick, then consume batches until none is left.
	 * @param queue the queue
	 * @param consumer the consumer
	 * @return every event received, in order
	 */
	public List<Event> tickAndDrain(String queue, String consumer) {
		tick(queue);
		List<Event> all = new ArrayList<>();
		for (Long batch = nextBatch(queue, consumer); batch != null; batch = nextBatch(queue, consumer)) {
			all.addAll(batchEvents(batch));
			finishBatch(batch);
		}
		return all;
	}

	/**
	 * Wait until the backend with the given pid waits on a lock (a row lock, an advisory
	 * lock...), so a test knows a concurrent call is really blocked and not just slow.
	 * @param pid the backend's pid, taken with {@link #backendPid} BEFORE the blocking
	 * call starts (a JDBC connection serves one call at a time)
	 * @param timeout how long to wait at most
	 */
	public void awaitLockWait(int pid, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			Boolean waiting = this.jdbc.queryForObject(
					"SELECT coalesce(bool_or(wait_event_type = 'Lock'), false) FROM pg_stat_activity WHERE pid = ?",
					Boolean.class, pid);
			if (Boolean.TRUE.equals(waiting)) {
				return;
			}
			try {
				Thread.sleep(10);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
		throw new IllegalStateException("Backend " + pid + " did not start waiting on a lock within " + timeout);
	}

	/**
	 * The backend pid of a connection.
	 * @param connection the connection
	 * @return its pid
	 */
	public static int backendPid(Connection connection) {
		return queryOne(connection, "SELECT pg_backend_pid()", Integer.class);
	}

	/**
	 * Whether the connection's transaction has a transaction id, which any row lock or
	 * write takes (and so WAL at commit).
	 * @param connection the connection, in a transaction
	 * @return whether an xid is assigned
	 */
	public static boolean transactionIdAssigned(Connection connection) {
		return queryOne(connection, "SELECT pg_current_xact_id_if_assigned() IS NOT NULL", Boolean.class);
	}

	/**
	 * The one value a statement returns, on a connection of the test's own (so in its
	 * transaction, if one is open).
	 * @param <T> the value's type
	 * @param connection the connection
	 * @param sql a statement returning one row of one column
	 * @param type the value's type
	 * @return the value, or {@code null} for SQL NULL
	 */
	public static <T> @Nullable T queryOne(Connection connection, String sql, Class<T> type) {
		try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
			rs.next();
			return rs.getObject(1, type);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public long queueId(String queue) {
		return this.jdbc.queryForObject("SELECT queue_id FROM pgque.queue WHERE queue_name = ?", Long.class, queue);
	}

	/**
	 * One event as {@code get_batch_events} returns it.
	 *
	 * @param id the event id
	 * @param type the event type
	 * @param data the payload
	 * @param retry the retry count, {@code null} on first delivery
	 */
	public record Event(long id, @Nullable String type, @Nullable String data, @Nullable Integer retry) {

	}

}
