package io.pgque.spring.listener.source;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.pgque.spring.PgqueException;
import io.pgque.spring.core.PgqueErrorTranslator;
import io.pgque.spring.core.PgqueInterval;
import io.pgque.spring.core.PgqueSql;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.SqlArrayValue;

/**
 * The partition slots of a keyed consumer ({@code n} subscriptions {@code C#k/N}, one per
 * key hash class) and their leases: setup, a worker's claims and releases, and the
 * workers' presence, from which each computes its fair share of the slots. Each call is a
 * transaction of its own (none of them joins a batch transaction).
 *
 * @author pgque-spring-boot authors
 */
public class PgqueKeySlots {

	private final JdbcTemplate jdbc;

	private final String queue;

	private final String consumer;

	private final int slots;

	private final PgqueErrorTranslator errors = new PgqueErrorTranslator();

	/**
	 * The slots of a consumer.
	 * @param dataSource the PgQue DataSource
	 * @param queue the queue
	 * @param consumer the keyed consumer
	 * @param slots its slot count (pinned by the engine once subscribed)
	 */
	public PgqueKeySlots(DataSource dataSource, String queue, String consumer, int slots) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.queue = queue;
		this.consumer = consumer;
		this.slots = slots;
	}

	public int slots() {
		return this.slots;
	}

	/**
	 * Make sure the queue exists and every slot is subscribed (all at one tick, so no
	 * event falls between two slots' starts).
	 * @param queueCreator creates a missing queue, or {@code null} to fail when it is
	 * missing
	 * @param subscribeWhenMissing whether to subscribe missing slots
	 * @return the number of slots this call subscribed
	 * @throws PgqueException if the queue or slots are missing and may not be created, or
	 * the consumer is pinned to another slot count
	 */
	public int ensureSubscribed(@Nullable Consumer<String> queueCreator, boolean subscribeWhenMissing) {
		Map<String, Object> state = call("subscribe slots", () -> this.jdbc.queryForMap(PgqueSql.KEY_SLOTS_STATE,
				this.queue, this.queue, this.consumer, this.slots, this.slots));
		if (state.get("subscribed") instanceof Number subscribed && subscribed.intValue() == this.slots) {
			return 0;
		}
		if (!Boolean.TRUE.equals(state.get("queue"))) {
			if (queueCreator == null) {
				throw new PgqueException("PgQue queue not found: '" + this.queue + "' (listened to by keyed consumer '"
						+ this.consumer + "'); declare it under pgque.queues or turn on"
						+ " pgque.listener.auto-create-queues");
			}
			queueCreator.accept(this.queue);
		}
		if (!subscribeWhenMissing) {
			throw new PgqueException("PgQue keyed consumer '" + this.consumer + "' on queue '" + this.queue
					+ "' has not all of its " + this.slots + " slots subscribed, and pgque.listener.auto-subscribe"
					+ " is off; subscribe them with SELECT pgque.subscribe_slots('" + this.queue + "', '"
					+ this.consumer + "', " + this.slots + ")");
		}
		Integer created = call("subscribe slots", () -> this.jdbc.queryForObject(PgqueSql.SUBSCRIBE_SLOTS,
				Integer.class, this.queue, this.consumer, this.slots));
		return (created != null) ? created : 0;
	}

	/**
	 * Claim (or renew) a slot's lease.
	 * @param slot the slot
	 * @param worker the worker
	 * @param ttl how long the lease lasts without renewal
	 * @return the lease's epoch, or {@code null} when another live worker holds it (or is
	 * in a transaction on it)
	 */
	public @Nullable Long claim(int slot, String worker, Duration ttl) {
		return call("claim slot", () -> this.jdbc.queryForObject(PgqueSql.CLAIM_SLOT, Long.class, this.queue,
				this.consumer, slot, worker, PgqueInterval.of(ttl)));
	}

	/**
	 * Renew, in one statement, the leases a worker holds.
	 * @param slots the slots it holds
	 * @param worker the worker
	 * @param ttl how long the leases last without renewal
	 * @return the epoch of each slot renewed; a slot missing is no longer the worker's
	 * (or another transaction is on it: the call never waits)
	 */
	public Map<Integer, Long> renew(Collection<Integer> slots, String worker, Duration ttl) {
		if (slots.isEmpty()) {
			return Map.of();
		}
		SqlArrayValue held = new SqlArrayValue("int4", slots.toArray());
		Map<Integer, Long> renewed = call("renew slots", () -> this.jdbc.query(PgqueSql.RENEW_SLOTS, (rs) -> {
			Map<Integer, Long> epochs = new HashMap<>();
			while (rs.next()) {
				epochs.put(rs.getInt(1), rs.getLong(2));
			}
			return epochs;
		}, this.queue, this.consumer, worker, held, PgqueInterval.of(ttl)));
		return (renewed != null) ? renewed : Map.of();
	}

	/**
	 * Give a slot's lease up.
	 * @param slot the slot
	 * @param worker the worker
	 * @return whether it held the lease
	 */
	public boolean release(int slot, String worker) {
		return Boolean.TRUE.equals(call("release slot", () -> this.jdbc.queryForObject(PgqueSql.RELEASE_SLOT,
				Boolean.class, this.queue, this.consumer, slot, worker)));
	}

	/**
	 * Say a worker is alive, and learn how the slots stand.
	 * @param worker the worker
	 * @param ttl how long it counts as alive without another call
	 * @return the workers alive, the free slots and the workers below their share
	 */
	public Presence beat(String worker, Duration ttl) {
		Presence presence = call("worker heartbeat",
				() -> this.jdbc.queryForObject(PgqueSql.SLOT_WORKER_BEAT,
						(rs, row) -> new Presence(rs.getInt(1), rs.getInt(2), rs.getInt(3)), this.queue, this.consumer,
						worker, PgqueInterval.of(ttl)));
		return (presence != null) ? presence : new Presence(1, 0, 0);
	}

	/**
	 * A worker stops: the others stop counting it at once.
	 * @param worker the worker
	 */
	public void leave(String worker) {
		call("worker leave", () -> this.jdbc.queryForObject(PgqueSql.SLOT_WORKER_LEAVE, Boolean.class, this.queue,
				this.consumer, worker));
	}

	private <T> T call(String operation, Supplier<T> call) {
		return this.errors.call(operation, this.queue, this.consumer, null, call);
	}

	/**
	 * How the slots of a consumer stand, as a worker's heartbeat answers.
	 *
	 * @param alive the workers alive, the caller included
	 * @param free the slots without a live lease
	 * @param hungry the workers holding fewer than {@code slots / alive} (rounded down)
	 */
	public record Presence(int alive, int free, int hungry) {
	}

}
