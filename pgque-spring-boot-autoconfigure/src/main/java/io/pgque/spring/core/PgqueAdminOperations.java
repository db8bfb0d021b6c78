package io.pgque.spring.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Administering PgQue: queues, subscriptions, information and the dead-letter queue.
 * Implemented by {@link PgqueTemplate}. Like {@link PgqueOperations}, every call joins
 * the caller's transaction on the PgQue DataSource, and names are checked before any SQL
 * runs.
 *
 * @author pgque-spring-boot authors
 */
public interface PgqueAdminOperations {

	// ---- queues

	/**
	 * Create a queue with the engine's defaults (see {@link PgqueQueueDeclarer} for the
	 * starter's latency-friendly defaults).
	 * @param queue the queue name
	 * @return {@code true} if it was created, {@code false} if it existed
	 */
	boolean createQueue(String queue);

	/**
	 * Drop a queue and its events, ticks and dead letters.
	 * @param queue the queue name
	 * @param force whether to unsubscribe its consumers first; without it, a queue that
	 * has subscriptions is not dropped and an exception is thrown
	 * @throws PgqueQueueNotFoundException if there is no such queue
	 */
	void dropQueue(String queue, boolean force);

	/**
	 * Change a queue's settings; those the config does not mention stay. All of them are
	 * set in one statement, so either all apply or none does.
	 * @param queue the queue name
	 * @param config the settings
	 * @throws PgqueQueueNotFoundException if there is no such queue
	 */
	void setQueueConfig(String queue, PgqueQueueConfig config);

	/**
	 * Whether a queue exists.
	 * @param queue the queue name
	 * @return whether it exists
	 */
	default boolean queueExists(String queue) {
		return getQueueInfo(queue).isPresent();
	}

	// ---- subscriptions

	/**
	 * Subscribe a consumer to a queue. It receives events ticked from now on.
	 * @param queue the queue name
	 * @param consumer the consumer name
	 * @return {@code true} if newly subscribed, {@code false} if it already was
	 * @throws PgqueQueueNotFoundException if there is no such queue
	 */
	boolean subscribe(String queue, String consumer);

	/**
	 * Unsubscribe a consumer from a queue, dropping its pending retries (and its dead
	 * letters when it has no other subscription).
	 * @param queue the queue name
	 * @param consumer the consumer name
	 * @return {@code true} if it was subscribed, {@code false} otherwise
	 */
	boolean unsubscribe(String queue, String consumer);

	// ---- information

	/**
	 * Every queue's settings and state, by name.
	 * @return the queues
	 */
	List<PgqueQueueInfo> getQueueInfo();

	/**
	 * One queue's settings and state.
	 * @param queue the queue name
	 * @return the information, empty if there is no such queue
	 */
	Optional<PgqueQueueInfo> getQueueInfo(String queue);

	/**
	 * Every subscription's position, by queue then consumer.
	 * @return the subscriptions
	 */
	List<PgqueConsumerInfo> getConsumerInfo();

	/**
	 * The positions of a queue's subscriptions.
	 * @param queue the queue name
	 * @return the subscriptions, by consumer
	 */
	List<PgqueConsumerInfo> getConsumerInfo(String queue);

	/**
	 * One subscription's position.
	 * @param queue the queue name
	 * @param consumer the consumer name
	 * @return the information, empty if the consumer is not subscribed
	 */
	Optional<PgqueConsumerInfo> getConsumerInfo(String queue, String consumer);

	/**
	 * An open batch.
	 * @param batchId the batch id
	 * @return the information, empty if the batch is unknown or finished
	 */
	Optional<PgqueBatchInfo> getBatchInfo(long batchId);

	/**
	 * The installation's state: server, engine, scheduler, ticker, counts.
	 * @return the status rows, in the engine's order
	 */
	List<PgqueStatus> status();

	/**
	 * The engine's version, e.g. {@code 0.2.0}.
	 * @return the version
	 */
	String version();

	// ---- dead letters

	/**
	 * A queue's dead letters, newest first.
	 * @param queue the queue name
	 * @param limit the most to return, at least 1
	 * @return the dead letters; empty for an unknown queue
	 */
	List<PgqueDeadLetter> getDeadLetters(String queue, int limit);

	/**
	 * How many dead letters each queue holds, in one query.
	 * @return counts by queue name; queues without dead letters are absent
	 */
	Map<String, Long> countDeadLetters();

	/**
	 * Send a dead letter again as a new event, to every subscriber, and remove it.
	 * @param deadLetterId the dead-letter id
	 * @return the new event id
	 * @throws PgqueDeadLetterNotFoundException if there is no such entry
	 */
	long replayDeadLetter(long deadLetterId);

	/**
	 * Replay every dead letter of a queue, each on its own; failures are counted and stay
	 * in the dead-letter queue.
	 * @param queue the queue name
	 * @return how many were replayed and failed
	 */
	PgqueReplayResult replayDeadLetters(String queue);

	/**
	 * Delete a queue's dead letters older than a cutoff.
	 * @param queue the queue name
	 * @param olderThan the age above which entries go; {@link Duration#ZERO} purges all
	 * @return how many were deleted
	 */
	int purgeDeadLetters(String queue, Duration olderThan);

}
