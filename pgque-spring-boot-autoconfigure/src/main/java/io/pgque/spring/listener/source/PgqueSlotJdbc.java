package io.pgque.spring.listener.source;

import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import io.pgque.spring.core.PgqueInterval;
import io.pgque.spring.core.PgqueSql;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;

/**
 * The SQL of one partition slot of a keyed consumer, worked by one keyed worker: the
 * batch pipeline opens, acks and nacks the slot's batches through it with
 * {@code receive_partitioned}, {@code ack_partitioned} and {@code nack_partitioned}, each
 * fenced by the worker's lease on the slot.
 * <p>
 * The ack names the batch and the epoch of the claim it was opened under: a worker whose
 * lease expired and was taken over meanwhile (even one that has claimed the slot again
 * since) cannot ack, and its transaction rolls back with {@link PgqueSlotLostException}.
 * A slot's share of a batch is read at once (the engine filters a batch by key hash, and
 * only its receive can do that), so it is not paged.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueSlotJdbc extends PgqueConsumerJdbc {

	// the contract's messages of the slot fence (raised as P0001 like every engine
	// error):
	// "...; fenced" (another owner, another epoch, another batch) and "... is not leased"
	private static final Pattern FENCED = Pattern.compile("; fenced|is not leased");

	private final int slot;

	private final int slots;

	private final String worker;

	// the epoch of the worker's claim; -1 until claimed
	private volatile long epoch = -1;

	// the cursor after the last receive that returned nothing, and whether it had moved
	private @Nullable Long cursor;

	private boolean movedWithoutEvents;

	/**
	 * The SQL of a slot.
	 * @param dataSource the PgQue DataSource
	 * @param queue the queue
	 * @param consumer the keyed consumer
	 * @param slot the slot, {@code 0..slots-1}
	 * @param slots the consumer's slot count
	 * @param worker the worker that claims it
	 */
	public PgqueSlotJdbc(DataSource dataSource, String queue, String consumer, int slot, int slots, String worker) {
		super(dataSource, queue, consumer, UNLIMITED);
		this.slot = slot;
		this.slots = slots;
		this.worker = worker;
	}

	public int slot() {
		return this.slot;
	}

	/**
	 * Record the epoch a claim of the slot returned; later acks must match it.
	 * @param epoch the epoch
	 */
	public void claimed(long epoch) {
		this.epoch = epoch;
	}

	@Override
	public @Nullable PgqueOpenBatch open(@Nullable PgqueLease lease) {
		PgqueOpenBatch batch = fenced(
				() -> openWith(PgqueSql.SLOT_RECEIVE, queue(), consumer(), this.slot, this.slots, this.worker));
		this.movedWithoutEvents = false;
		if (batch == null) {
			// the engine finishes a batch with none of the slot's keys in the receive
			// itself: the cursor tells such a batch from no batch at all
			Long now = call("read cursor", null, () -> jdbcTemplate().queryForObject(PgqueSql.SLOT_CURSOR, Long.class,
					queue(), consumer() + "#" + this.slot + "/" + this.slots));
			this.movedWithoutEvents = (now != null && !now.equals(this.cursor));
			this.cursor = now;
		}
		return batch;
	}

	/**
	 * Whether the last {@link #open(PgqueLease)} that opened nothing moved the cursor
	 * past a batch without events of this slot's keys, so that more batches may wait.
	 * @return whether it did
	 */
	public boolean movedWithoutEvents() {
		return this.movedWithoutEvents;
	}

	@Override
	public boolean finish(long batchId) {
		Long claimEpoch = (this.epoch >= 0) ? this.epoch : null;
		Integer done = fenced(() -> call("ack", batchId, () -> jdbcTemplate().queryForObject(PgqueSql.SLOT_ACK,
				Integer.class, queue(), consumer(), this.slot, this.slots, this.worker, batchId, claimEpoch)));
		if (done == null || done != 1) {
			// the open batch was this one a moment ago (checked in the same call)
			throw new IllegalStateException("Batch " + batchId + " of slot " + this.slot + " was not open");
		}
		return true;
	}

	@Override
	public boolean nack(long batchId, long eventId, Duration delay, @Nullable String reason) {
		fenced(() -> call("nack", batchId,
				() -> jdbcTemplate().queryForObject(PgqueSql.SLOT_NACK, Integer.class, queue(), consumer(), this.slot,
						this.slots, this.worker, eventId, batchId, PgqueInterval.of(delay), reason)));
		return retryPending(eventId, batchId);
	}

	// a statement under the slot's fence: "fenced" becomes PgqueSlotLostException
	private <T> T fenced(Supplier<T> statement) {
		try {
			return statement.get();
		}
		catch (RuntimeException ex) {
			SQLException sql = sqlCause(ex);
			if (sql != null && sql.getMessage() != null && FENCED.matcher(sql.getMessage()).find()) {
				throw new PgqueSlotLostException(queue(), consumer(), this.slot, this.worker, sql);
			}
			throw ex;
		}
	}

	private static @Nullable SQLException sqlCause(Throwable ex) {
		if (ex instanceof DataAccessException access && access.getMostSpecificCause() instanceof SQLException sql) {
			return sql;
		}
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException sql) {
				return sql;
			}
		}
		return null;
	}

}
