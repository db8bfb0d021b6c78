package io.pgque.spring.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * Sending, receiving and administering PgQue queues. Implemented by
 * {@link PgqueTemplate}.
 * <p>
 * Every call runs on the PgQue DataSource and joins the caller's Spring-managed
 * transaction on it when there is one: an event sent inside a {@code @Transactional}
 * method commits or rolls back with the method's other writes. Outside a transaction each
 * call commits alone.
 * <p>
 * Queue and consumer names are checked before any SQL runs: not blank, and at most 57
 * bytes in UTF-8 so that the NOTIFY channel {@code pgque_<queue>} fits.
 *
 * @author pgque-spring-boot authors
 */
public interface PgqueOperations {

	// ---- sending

	/**
	 * Send one event with the converter's default type for the payload.
	 * @param queue the queue name
	 * @param payload the payload: an object converted to JSON, or a String/byte[] sent
	 * as-is
	 * @return the event id
	 */
	long send(String queue, Object payload);

	/**
	 * Send one event of the given type.
	 * @param queue the queue name
	 * @param type the event type
	 * @param payload the payload
	 * @return the event id
	 */
	long send(String queue, String type, Object payload);

	/**
	 * Send several events in one round trip, each with the converter's default type. All
	 * are sent or none.
	 * @param queue the queue name
	 * @param payloads the payloads, in order
	 * @return the event ids, aligned with {@code payloads}
	 */
	List<Long> sendBatch(String queue, List<?> payloads);

	/**
	 * Send several events of one type in one round trip. All are sent or none.
	 * @param queue the queue name
	 * @param type the event type
	 * @param payloads the payloads, in order
	 * @return the event ids, aligned with {@code payloads}
	 */
	List<Long> sendBatch(String queue, String type, List<?> payloads);

	/**
	 * Send one event with a partition key, and the converter's default type for the
	 * payload. Consumers reading by key (partition slots, {@code receive_partitioned},
	 * {@code @PgqueListener(ordering = KEY)}) get the events of one key in send order,
	 * one at a time, and events of different keys in parallel. The key is stored in the
	 * event's {@code extra1}.
	 * @param queue the queue name
	 * @param partitionKey the partition key, for example a customer or account id
	 * @param payload the payload
	 * @return the event id
	 */
	long sendKeyed(String queue, String partitionKey, Object payload);

	/**
	 * Send one event of the given type with a partition key. See
	 * {@link #sendKeyed(String, String, Object)}.
	 * @param queue the queue name
	 * @param partitionKey the partition key
	 * @param type the event type
	 * @param payload the payload
	 * @return the event id
	 */
	long sendKeyed(String queue, String partitionKey, String type, Object payload);

	/**
	 * Send several events in one round trip, each with the partition key the function
	 * gives for its payload and the converter's default type. All are sent or none, with
	 * ids in list order, so events of one key keep their order. See
	 * {@link #sendKeyed(String, String, Object)}.
	 * @param <T> the payload type
	 * @param queue the queue name
	 * @param payloads the payloads, in order
	 * @param partitionKey the partition key of a payload; must not return {@code null}
	 * @return the event ids, aligned with {@code payloads}
	 */
	<T> List<Long> sendKeyedBatch(String queue, List<T> payloads, Function<? super T, String> partitionKey);

	/**
	 * Send one event unless the key was already sent to the queue within its
	 * time-to-live: a duplicate sends nothing and names the first event. Safe when
	 * several senders use one key at once: exactly one of them sends. The key is stored
	 * in the event's {@code extra2}; the payload of a duplicate is not compared.
	 * @param queue the queue name
	 * @param key the idempotency key; it should name the intended effect (for example
	 * tenant, operation and version), not just an entity
	 * @param ttl how long the key suppresses repeats, more than zero
	 * @param payload the payload
	 * @return the event id and whether the send was a duplicate
	 */
	PgqueIdempotentSend sendIdempotent(String queue, String key, Duration ttl, Object payload);

	/**
	 * Send one event that consumers see at a given time, not before, and at the latest
	 * one tick period after it (plus the queue's usual tick delay). A time that has come
	 * sends at once.
	 * @param queue the queue name
	 * @param deliverAt when the event becomes visible
	 * @param payload the payload
	 * @return the event id, or the schedule id when the event waits
	 */
	PgqueDelayedSend sendAt(String queue, Instant deliverAt, Object payload);

	/**
	 * Send one event that consumers see after a delay, measured on the database clock
	 * from the start of the current transaction. See
	 * {@link #sendAt(String, Instant, Object)}.
	 * @param queue the queue name
	 * @param delay how long the event waits, not negative
	 * @param payload the payload
	 * @return the event id, or the schedule id when the event waits
	 */
	PgqueDelayedSend sendAfter(String queue, Duration delay, Object payload);

	// ---- receiving

	/**
	 * Open (or re-open) the consumer's batch and return up to {@code max} of its
	 * messages. Receiving again before {@link #ack(long)} returns the same batch.
	 * <p>
	 * Careful: {@link #ack(long)} finishes the <em>whole</em> batch, including messages
	 * beyond {@code max} that were not returned; ask for more than the largest batch you
	 * expect.
	 * @param queue the queue name
	 * @param consumer the consumer name
	 * @param max the most messages to return, at least 1
	 * @return the batch, or empty when nothing new was ticked
	 */
	Optional<PgqueBatch> receive(String queue, String consumer, int max);

	/**
	 * Finish a batch: the consumer's cursor moves past every event of it.
	 * @param batchId the batch id
	 * @return {@code true} if the batch was open, {@code false} if unknown or finished
	 */
	boolean ack(long batchId);

	/**
	 * Give up on one message of an open batch for now: it is delivered again to this
	 * consumer after {@code retryAfter}, or goes to the dead-letter queue once its retry
	 * count has reached the queue's {@code max_retries}. Does not finish the batch.
	 * @param message the message, from an open batch
	 * @param retryAfter the delay before redelivery (whole seconds)
	 * @param reason why, recorded if the event is dead-lettered; may be {@code null}
	 */
	void nack(PgqueMessage message, Duration retryAfter, @Nullable String reason);

	/**
	 * Convert a received message's payload to a Java type.
	 * @param <T> the type
	 * @param message the message
	 * @param type the target type
	 * @return the converted payload
	 */
	<T> @Nullable T convert(PgqueMessage message, Class<T> type);

	// ---- ticking

	/**
	 * Make the next tick of a queue happen now: bumps the queue so that the next
	 * {@link #ticker()} call ticks it, then runs the ticker for it.
	 * @param queue the queue name
	 * @return the id of the newest tick after the call
	 */
	@Nullable Long forceTick(String queue);

	/**
	 * Run the ticker once for every queue that is due.
	 * @return how many queues got a new tick
	 */
	int ticker();

}
