package io.pgque.spring.listener.source;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

import javax.sql.DataSource;

import io.pgque.spring.core.PgqueException;
import io.pgque.spring.core.PgqueMessage;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * The SQL one listener container runs for its (queue, consumer). Every call joins the
 * Spring-managed transaction of the thread, if any.
 * <p>
 * A batch is read with {@code next_batch} + {@code get_batch_events}, which return
 * <em>every</em> event of the batch: {@code finish_batch} moves the cursor past all of
 * them, so reading only part of a batch (as {@code receive(q, c, n)} may) would lose the
 * rest.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueConsumerJdbc {

	private final DataSource dataSource;

	private final JdbcTemplate jdbc;

	private final String queue;

	private final String consumer;

	public PgqueConsumerJdbc(DataSource dataSource, String queue, String consumer) {
		this.dataSource = dataSource;
		this.jdbc = new JdbcTemplate(dataSource);
		this.queue = queue;
		this.consumer = consumer;
	}

	/**
	 * The PgQue DataSource, the key under which the batch transaction is bound.
	 * @return the DataSource
	 */
	public DataSource dataSource() {
		return this.dataSource;
	}

	public String queue() {
		return this.queue;
	}

	public String consumer() {
		return this.consumer;
	}

	/**
	 * Make sure the queue exists and the consumer is subscribed to it.
	 * @param subscribeWhenMissing whether to subscribe a missing consumer
	 * @return {@code true} if this call subscribed the consumer
	 */
	public boolean ensureSubscribed(boolean subscribeWhenMissing) {
		if (!queueExists()) {
			throw new PgqueException("PgQue queue not found: '" + this.queue + "' (listened to by consumer '"
					+ this.consumer + "'); declare it under pgque.queues, turn on pgque.listener.auto-create-queues,"
					+ " or create it with SELECT pgque.create_queue('" + this.queue + "')");
		}
		Boolean subscribed = this.jdbc.queryForObject("""
				SELECT EXISTS (SELECT 1 FROM pgque.subscription s
				    JOIN pgque.queue q ON q.queue_id = s.sub_queue
				    JOIN pgque.consumer c ON c.co_id = s.sub_consumer
				    WHERE q.queue_name = ? AND c.co_name = ?)""", Boolean.class, this.queue, this.consumer);
		if (Boolean.TRUE.equals(subscribed)) {
			return false;
		}
		if (!subscribeWhenMissing) {
			throw new PgqueException("PgQue consumer not registered: '" + this.consumer + "' on queue '" + this.queue
					+ "', and pgque.listener.auto-subscribe is off");
		}
		Integer created = this.jdbc.queryForObject("SELECT pgque.register_consumer(?, ?)", Integer.class, this.queue,
				this.consumer);
		return created != null && created == 1;
	}

	/**
	 * Whether the queue exists.
	 * @return whether it exists
	 */
	public boolean queueExists() {
		Boolean exists = this.jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM pgque.queue WHERE queue_name = ?)",
				Boolean.class, this.queue);
		return Boolean.TRUE.equals(exists);
	}

	/**
	 * Create the queue with the engine's defaults (unless it exists).
	 */
	public void createQueue() {
		this.jdbc.queryForObject("SELECT pgque.create_queue(?)", Integer.class, this.queue);
	}

	/**
	 * Open (or re-open) the consumer's batch; locks the subscription row until the
	 * transaction ends.
	 * @return the batch id, or {@code null} when no new tick is there
	 */
	public @Nullable Long nextBatch() {
		return this.jdbc.queryForObject("SELECT pgque.next_batch(?, ?)", Long.class, this.queue, this.consumer);
	}

	/**
	 * Open (or re-open) the consumer's batch only if the lease's session still holds the
	 * advisory lock, checked on the server in the same statement (no extra round trip).
	 * @param lease the lease
	 * @return the batch id, or {@code null} when no new tick is there
	 * @throws PgqueLeaseLostException if the lock is no longer held by the lease's
	 * session
	 */
	public @Nullable Long nextBatch(PgqueLease lease) {
		long key = lease.key();
		// a bigint advisory key shows as classid = high half, objid = low half, objsubid
		// = 1
		List<@Nullable Long> ids = this.jdbc.query("""
				SELECT pgque.next_batch(?, ?) WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_locks
				    WHERE locktype = 'advisory' AND granted AND pid = ? AND objsubid = 1
				    AND classid = ?::bigint::oid AND objid = ?::bigint::oid)""", (rs, row) -> {
			long id = rs.getLong(1);
			return rs.wasNull() ? null : id;
		}, this.queue, this.consumer, lease.backendPid(), key >>> 32, key & 0xFFFFFFFFL);
		if (ids.isEmpty()) {
			lease.lost();
			throw new PgqueLeaseLostException(this.queue, this.consumer);
		}
		return ids.get(0);
	}

	/**
	 * Every event of an open batch, ascending by id.
	 * @param batchId the batch
	 * @return the messages
	 */
	public List<PgqueMessage> events(long batchId) {
		RowMapper<PgqueMessage> mapper = (rs, row) -> message(rs, batchId);
		return this.jdbc.query("""
				SELECT ev_id, ev_time, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
				FROM pgque.get_batch_events(?) ORDER BY ev_id""", mapper, batchId);
	}

	private static PgqueMessage message(ResultSet rs, long batchId) throws SQLException {
		int retry = rs.getInt(3);
		Integer retryCount = rs.wasNull() ? null : retry;
		return new PgqueMessage(rs.getLong(1), batchId, rs.getString(4), rs.getString(5), retryCount,
				rs.getObject(2, OffsetDateTime.class), rs.getString(6), rs.getString(7), rs.getString(8),
				rs.getString(9));
	}

	/**
	 * Finish (ack) a batch: the cursor moves past all of it.
	 * @param batchId the batch
	 * @return {@code true} if it was open
	 */
	public boolean finish(long batchId) {
		Integer done = this.jdbc.queryForObject("SELECT pgque.finish_batch(?)", Integer.class, batchId);
		return done != null && done == 1;
	}

	/**
	 * Nack one event: retried after the delay, or dead-lettered by the engine once its
	 * retry count has reached the queue's limit.
	 * @param batchId the batch
	 * @param eventId the event
	 * @param delay the retry delay
	 * @param reason recorded if the event is dead-lettered
	 */
	public void nack(long batchId, long eventId, Duration delay, @Nullable String reason) {
		// nack reads the canonical event by id; the other fields of the message are
		// ignored
		this.jdbc.query("""
				SELECT pgque.nack(?, ROW(?, ?, NULL, NULL, NULL, now(), NULL, NULL, NULL, NULL)::pgque.message,
				    make_interval(secs => ?), ?)""", (rs) -> {
		}, batchId, eventId, batchId, (double) delay.toSeconds(), reason);
	}

	/**
	 * Dead-letter one event of an open batch now, whatever its retry count.
	 * @param batchId the batch
	 * @param eventId the event
	 * @param reason why
	 */
	public void deadLetter(long batchId, long eventId, String reason) {
		this.jdbc.query("""
				SELECT pgque.event_dead(?, e.ev_id, ?, e.ev_time, e.ev_txid::text::xid8, e.ev_retry, e.ev_type,
				    e.ev_data, e.ev_extra1, e.ev_extra2, e.ev_extra3, e.ev_extra4)
				FROM pgque.get_batch_events(?) e WHERE e.ev_id = ?""", (rs) -> {
		}, batchId, reason, batchId, eventId);
	}

}
