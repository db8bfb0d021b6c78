package io.pgque.spring.listener.source;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.pgque.spring.PgqueException;
import io.pgque.spring.core.PgqueErrorTranslator;
import io.pgque.spring.core.PgqueInterval;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.core.PgqueSql;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

/**
 * The SQL one listener container runs for its (queue, consumer). Every call joins the
 * Spring-managed transaction of the thread, if any.
 * <p>
 * A batch is opened and read in one statement ({@code next_batch} joined with
 * {@code get_batch_events}), which returns <em>every</em> event of the batch:
 * {@code finish_batch} moves the cursor past all of them, so reading only part of a batch
 * (as {@code receive(q, c, n)} may) would lose the rest.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueConsumerJdbc {

	private static final Log logger = LogFactory.getLog(PgqueConsumerJdbc.class);

	/**
	 * The page size of a consumer created without one.
	 */
	public static final int UNLIMITED = Integer.MAX_VALUE;

	// SQLSTATE raised by pgque.lease_check
	private static final String LEASE_NOT_HELD = "PQL01";

	private final DataSource dataSource;

	private final JdbcTemplate jdbc;

	private final String queue;

	private final String consumer;

	private final int pageSize;

	private final PgqueErrorTranslator errors = new PgqueErrorTranslator();

	// the subconsumer this SQL works for, in cooperative mode
	private final @Nullable String subconsumer;

	private final @Nullable Duration deadInterval;

	// the table lease the last batch was opened under: its finish checks the same epoch
	private volatile @Nullable Fence fence;

	// asked the first time an event is dead-lettered
	private volatile @Nullable DeadLetterSupport deadLetterSupport;

	public PgqueConsumerJdbc(DataSource dataSource, String queue, String consumer) {
		this(dataSource, queue, consumer, UNLIMITED);
	}

	/**
	 * Create the SQL of a consumer.
	 * @param dataSource the PgQue DataSource
	 * @param queue the queue
	 * @param consumer the consumer
	 * @param pageSize the most events read from a batch at once; a bigger batch is read
	 * in pages
	 */
	public PgqueConsumerJdbc(DataSource dataSource, String queue, String consumer, int pageSize) {
		this(dataSource, queue, consumer, pageSize, null, null);
	}

	private PgqueConsumerJdbc(DataSource dataSource, String queue, String consumer, int pageSize,
			@Nullable String subconsumer, @Nullable Duration deadInterval) {
		if (pageSize < 1) {
			throw new IllegalArgumentException("pageSize must be at least 1 but was " + pageSize);
		}
		this.dataSource = dataSource;
		this.jdbc = new JdbcTemplate(dataSource);
		this.queue = queue;
		this.consumer = consumer;
		this.pageSize = pageSize;
		this.subconsumer = subconsumer;
		this.deadInterval = deadInterval;
	}

	/**
	 * The SQL of one cooperative member (subconsumer) of this consumer: it opens batches
	 * with the group's cursor, taking over the batch of a member silent for longer than
	 * the dead interval.
	 * @param subconsumer the member's name (no dot, no {@code #})
	 * @param deadInterval how long a member holding a batch may stay silent before
	 * another takes its batch over
	 * @return the member's SQL
	 */
	public PgqueConsumerJdbc member(String subconsumer, Duration deadInterval) {
		return new PgqueConsumerJdbc(this.dataSource, this.queue, this.consumer, this.pageSize, subconsumer,
				deadInterval);
	}

	/**
	 * Whether this is the SQL of a cooperative member.
	 * @return whether it opens batches as a subconsumer
	 */
	public boolean isMember() {
		return this.subconsumer != null;
	}

	/**
	 * The member's name.
	 * @return the subconsumer, or {@code null} for the consumer's single worker
	 */
	public @Nullable String subconsumer() {
		return this.subconsumer;
	}

	protected <T> T call(String operation, @Nullable Long batchId, Supplier<T> call) {
		return this.errors.call(operation, this.queue, this.consumer, batchId, call);
	}

	private void run(String operation, @Nullable Long batchId, Runnable call) {
		call(operation, batchId, () -> {
			call.run();
			return Boolean.TRUE;
		});
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
	 * Make sure the queue exists and the consumer is subscribed to it, asking the
	 * database once when both hold.
	 * @param queueCreator creates a missing queue, or {@code null} to fail when it is
	 * missing
	 * @param subscribeWhenMissing whether to subscribe a missing consumer
	 * @return {@code true} if this call subscribed the consumer
	 * @throws PgqueException if the queue is missing and may not be created, or the
	 * consumer is missing and may not be subscribed
	 */
	public boolean ensureSubscribed(@Nullable Consumer<String> queueCreator, boolean subscribeWhenMissing) {
		Map<String, Object> state = call("subscribe", null,
				() -> this.jdbc.queryForMap(PgqueSql.QUEUE_AND_SUBSCRIPTION, this.queue, this.queue, this.consumer));
		if (Boolean.TRUE.equals(state.get("subscribed"))) {
			return false;
		}
		if (!Boolean.TRUE.equals(state.get("queue"))) {
			if (queueCreator == null) {
				throw new PgqueException(
						"PgQue queue not found: '" + this.queue + "' (listened to by consumer '" + this.consumer
								+ "'); declare it under pgque.queues, turn on pgque.listener.auto-create-queues,"
								+ " or create it with SELECT pgque.create_queue('" + this.queue + "')");
			}
			queueCreator.accept(this.queue);
		}
		if (!subscribeWhenMissing) {
			throw new PgqueException("PgQue consumer not registered: '" + this.consumer + "' on queue '" + this.queue
					+ "', and pgque.listener.auto-subscribe is off");
		}
		Integer created = call("subscribe", null,
				() -> this.jdbc.queryForObject(PgqueSql.REGISTER_CONSUMER, Integer.class, this.queue, this.consumer));
		return created != null && created == 1;
	}

	/**
	 * Create the queue with the engine's defaults (unless it exists).
	 */
	public void createQueue() {
		call("createQueue", null, () -> this.jdbc.queryForObject(PgqueSql.CREATE_QUEUE, Integer.class, this.queue));
	}

	/**
	 * Open (or re-open) the consumer's batch and read its first page, in one round trip;
	 * locks the subscription row until the transaction ends.
	 * <p>
	 * With a lease, the batch is opened only if the lease is still held, checked on the
	 * server in the same statement: that the lease session still holds its advisory
	 * locks, or that the lease row still has this acquisition's epoch and has not
	 * expired. A container that lost its lease cannot open, let alone handle, another
	 * batch; with a table lease it cannot {@linkplain #finish(long) finish} one either.
	 * @param lease the container's lease, or {@code null} when it works without one
	 * @return the batch, or {@code null} when no new tick is there
	 * @throws PgqueLeaseLostException if the lease is no longer held
	 */
	public @Nullable PgqueOpenBatch open(@Nullable PgqueLease lease) {
		BatchReader reader = new BatchReader();
		this.fence = null;
		if (lease == null) {
			run("open batch", null,
					() -> this.jdbc.query(PgqueSql.OPEN_BATCH, reader, this.queue, this.consumer, this.pageSize));
		}
		else if (lease.hold() instanceof PgqueTableLeases.Hold table) {
			run("open batch", null, () -> fenced(lease, () -> {
				this.jdbc.query(PgqueSql.OPEN_BATCH_WITH_EPOCH, reader, this.queue, this.consumer, table.epoch(),
						this.pageSize);
				return null;
			}));
			if (reader.batchId != null) {
				this.fence = new Fence(lease, table.epoch(), reader.batchId);
			}
		}
		else if (lease.hold() instanceof PgqueAdvisoryLeases.Hold advisory) {
			run("open batch", null, () -> this.jdbc.query(PgqueSql.OPEN_BATCH_WHILE_LEASED, reader, this.queue,
					this.consumer, advisory.witness(), this.pageSize));
			if (!reader.answered) {
				lease.lost();
				throw new PgqueLeaseLostException(this.queue, this.consumer);
			}
		}
		return (reader.batchId != null) ? reader.page(reader.batchId) : null;
	}

	/**
	 * Open the member's batch with the group's cursor: its own batch if one is open, else
	 * the batch of a member silent for longer than the dead interval (taken over under a
	 * new id), else the next window. Locks the group's rows until the transaction ends,
	 * so the caller commits at once and reads the batch in another transaction
	 * ({@link #firstPage(long)}).
	 * @return the batch id, or {@code null} when there is no new tick
	 * @throws IllegalStateException if this is not a member's SQL
	 */
	public @Nullable Long openAsMember() {
		String member = this.subconsumer;
		Duration dead = this.deadInterval;
		if (member == null || dead == null) {
			throw new IllegalStateException("Not a cooperative member of " + this.queue + "/" + this.consumer);
		}
		return call("open batch", null, () -> this.jdbc.queryForObject(PgqueSql.OPEN_BATCH_AS_MEMBER, Long.class,
				this.queue, this.consumer, member, PgqueInterval.of(dead)));
	}

	/**
	 * Read the first page of an open batch.
	 * @param batchId the batch
	 * @return its first page
	 */
	public PgqueOpenBatch firstPage(long batchId) {
		BatchReader reader = new BatchReader();
		run("read batch", batchId,
				() -> this.jdbc.query(PgqueSql.READ_PAGE, reader, batchId, batchId, 0L, this.pageSize));
		return reader.page(batchId);
	}

	/**
	 * Read the page after one of an open batch.
	 * @param previous the page before, not the last
	 * @return the next page (empty and last when the previous page ended the batch
	 * exactly)
	 */
	public PgqueOpenBatch nextPage(PgqueOpenBatch previous) {
		if (previous.last()) {
			throw new IllegalArgumentException("Batch " + previous.id() + " has no page after its last");
		}
		BatchReader reader = new BatchReader();
		run("read batch", previous.id(), () -> this.jdbc.query(PgqueSql.READ_PAGE, reader, previous.id(), previous.id(),
				previous.lastId(), this.pageSize));
		return reader.page(previous.id());
	}

	/**
	 * Open a batch with a statement that answers the rows of {@link PgqueSql#OPEN_BATCH}
	 * (no row at all: no batch), for SQL that opens batches another way.
	 * @param sql the statement
	 * @param args its arguments
	 * @return the first page, or {@code null} when no batch was opened
	 */
	protected @Nullable PgqueOpenBatch openWith(String sql, Object... args) {
		BatchReader reader = new BatchReader();
		this.fence = null;
		run("open batch", null, () -> this.jdbc.query(sql, reader, args));
		return (reader.batchId != null) ? reader.page(reader.batchId) : null;
	}

	protected JdbcTemplate jdbcTemplate() {
		return this.jdbc;
	}

	// runs a statement that checks a table lease; its "not held" error marks the lease
	// lost
	private <T> @Nullable T fenced(PgqueLease lease, Supplier<@Nullable T> statement) {
		try {
			return statement.get();
		}
		catch (DataAccessException ex) {
			if (ex.getMostSpecificCause() instanceof SQLException sql && LEASE_NOT_HELD.equals(sql.getSQLState())) {
				lease.lost();
				throw new PgqueLeaseLostException(this.queue, this.consumer);
			}
			throw ex;
		}
	}

	/**
	 * Collects the rows of {@link PgqueSql#OPEN_BATCH}: one per event, or a single row
	 * without an event when the batch is empty or there is none ({@code batch_id} null).
	 * <p>
	 * {@code get_batch_events} returns its rows ascending by id, and the statement keeps
	 * them so without an ORDER BY (which would sort every batch once more); the order is
	 * checked here and restored should a plan ever change it.
	 */
	private final class BatchReader implements RowCallbackHandler {

		private boolean answered;

		private @Nullable Long batchId;

		private final List<PgqueMessage> messages = new ArrayList<>();

		private boolean ascending = true;

		@Override
		public void processRow(ResultSet rs) throws SQLException {
			this.answered = true;
			long id = rs.getLong(1);
			if (rs.wasNull()) {
				return;
			}
			this.batchId = id;
			long eventId = rs.getLong(2);
			if (!rs.wasNull()) {
				this.ascending &= this.messages.isEmpty() || this.messages.get(this.messages.size() - 1).id() < eventId;
				int retry = rs.getInt(4);
				Integer retryCount = rs.wasNull() ? null : retry;
				this.messages.add(new PgqueMessage(eventId, id, rs.getString(5), rs.getString(6), retryCount,
						createdAt(rs.getTimestamp(3)), rs.getString(7), rs.getString(8), rs.getString(9),
						rs.getString(10)));
			}
		}

		// the same instant and offset (UTC) as getObject(OffsetDateTime), which costs
		// the driver noticeably more per row; built from the local date-time, since
		// OffsetDateTime.ofInstant creates zone rules on every call
		private static OffsetDateTime createdAt(Timestamp time) {
			Instant instant = time.toInstant();
			return OffsetDateTime.of(
					LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC),
					ZoneOffset.UTC);
		}

		// A full page may leave events out: it is only sound if they came in id order
		// (the next page starts after the last id), so a disorder there fails the batch
		// before anything is acked.
		PgqueOpenBatch page(long batchId) {
			boolean last = this.messages.size() < PgqueConsumerJdbc.this.pageSize;
			if (!this.ascending) {
				if (!last) {
					throw new IllegalStateException("Batch " + batchId + " of " + PgqueConsumerJdbc.this.queue
							+ " came back out of event-id order, so it cannot be read in pages; raise"
							+ " pgque.listener.max-events-in-memory above the batch size");
				}
				this.messages.sort(Comparator.comparingLong(PgqueMessage::id));
			}
			return new PgqueOpenBatch(batchId, this.messages, last);
		}

	}

	/**
	 * Finish (ack) a batch: the cursor moves past all of it.
	 * @param batchId the batch
	 * @return {@code true} if it was open
	 */
	public boolean finish(long batchId) {
		Fence current = this.fence;
		Integer done;
		if (current != null && current.batchId() == batchId) {
			// a worker whose lease was taken over (or expired) cannot commit the batch
			done = call("ack", batchId,
					() -> fenced(current.lease(), () -> this.jdbc.queryForObject(PgqueSql.FINISH_BATCH_LEASED,
							Integer.class, batchId, this.queue, this.consumer, current.epoch())));
		}
		else {
			done = call("ack", batchId, () -> this.jdbc.queryForObject(PgqueSql.FINISH_BATCH, Integer.class, batchId));
		}
		return done != null && done == 1;
	}

	/**
	 * Nack one event: retried after the delay, or dead-lettered by the engine once its
	 * retry count has reached the queue's limit.
	 * @param batchId the batch
	 * @param eventId the event
	 * @param delay the retry delay; the engine rounds it to whole seconds (half to even),
	 * as it does for {@code PgqueTemplate.nack}
	 * @param reason recorded if the event is dead-lettered
	 * @return {@code true} if the event will be delivered again, {@code false} if the
	 * engine dead-lettered it
	 */
	public boolean nack(long batchId, long eventId, Duration delay, @Nullable String reason) {
		run("nack", batchId, () -> this.jdbc.query(PgqueSql.NACK_EVENT, (rs) -> {
		}, batchId, eventId, batchId, PgqueInterval.of(delay), reason));
		return retryPending(eventId, batchId);
	}

	/**
	 * Whether a nacked event waits in the retry queue (a later statement sees what the
	 * nack wrote), rather than in the dead-letter queue.
	 * @param eventId the event
	 * @param batchId its batch
	 * @return whether it will be delivered again
	 */
	protected boolean retryPending(long eventId, long batchId) {
		return Boolean.TRUE.equals(call("nack", batchId,
				() -> this.jdbc.queryForObject(PgqueSql.RETRY_PENDING, Boolean.class, this.queue, eventId)));
	}

	/**
	 * Dead-letter one event of an open batch now, whatever its retry count.
	 * <p>
	 * {@code event_dead} is granted to {@code pgque_admin} only. A login without it (say,
	 * one with {@code pgque_reader}, all a consumer needs) nacks the event instead, with
	 * the reason: it comes back until its retries are used up, then {@code nack}
	 * dead-letters it. Failing the batch instead would stall the queue on the event.
	 * @param batchId the batch
	 * @param eventId the event
	 * @param reason why
	 */
	public void deadLetter(long batchId, long eventId, String reason) {
		DeadLetterSupport support = deadLetterSupport();
		if (!support.allowed()) {
			nack(batchId, eventId, Duration.ZERO, reason);
			return;
		}
		run("deadLetter", batchId,
				() -> this.jdbc.query(
						support.singleEventRead() ? PgqueSql.DEAD_LETTER_ONE_EVENT : PgqueSql.DEAD_LETTER_FROM_BATCH,
						(rs) -> {
						}, batchId, reason, batchId, eventId));
	}

	private DeadLetterSupport deadLetterSupport() {
		DeadLetterSupport support = this.deadLetterSupport;
		if (support == null) {
			support = call("deadLetter", null, () -> this.jdbc.queryForObject(PgqueSql.DEAD_LETTER_SUPPORT,
					(rs, row) -> new DeadLetterSupport(rs.getBoolean(1), rs.getBoolean(2))));
			if (support == null) {
				throw new IllegalStateException("No answer");
			}
			if (!support.allowed()) {
				logger.warn("The login of " + this.queue + "/" + this.consumer + " may not execute pgque.event_dead"
						+ " (granted to pgque_admin): events to dead-letter are nacked instead, and reach the"
						+ " dead-letter queue once their retries (the queue's max_retries) are used up");
			}
			this.deadLetterSupport = support;
		}
		return support;
	}

	/**
	 * The table lease a batch was opened under.
	 *
	 * @param lease the lease
	 * @param epoch its epoch at the open
	 * @param batchId the batch
	 */
	private record Fence(PgqueLease lease, long epoch, long batchId) {
	}

	/**
	 * What the installed engine and the login allow for dead-lettering.
	 *
	 * @param allowed whether the login may execute {@code event_dead}
	 * @param singleEventRead whether the engine has {@code get_batch_event}
	 */
	private record DeadLetterSupport(boolean allowed, boolean singleEventRead) {
	}

}
