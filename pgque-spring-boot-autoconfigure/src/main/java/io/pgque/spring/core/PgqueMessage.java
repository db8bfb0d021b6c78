package io.pgque.spring.core;

import java.time.OffsetDateTime;

import org.jspecify.annotations.Nullable;

/**
 * One event as a consumer receives it: a row of {@code pgque.message}.
 *
 * @param id the event id ({@code msg_id}); stays the same across retries
 * @param batchId the batch that delivered it
 * @param type the event type ({@code 'default'} when the sender gave none)
 * @param payload the payload as stored: JSON or any text
 * @param retryCount how often it was retried before; {@code null} on first delivery
 * @param createdAt when it was first sent; stays the same across retries
 * @param extra1 free-form extra field 1
 * @param extra2 free-form extra field 2
 * @param extra3 free-form extra field 3
 * @param extra4 free-form extra field 4
 * @author pgque-spring-boot authors
 */
public record PgqueMessage(long id, long batchId, @Nullable String type, @Nullable String payload,
		@Nullable Integer retryCount, OffsetDateTime createdAt, @Nullable String extra1, @Nullable String extra2,
		@Nullable String extra3, @Nullable String extra4) {

	/**
	 * How often this event was delivered before and nacked (the engine's retry count),
	 * {@code 0} on first delivery. The queue's {@code max_retries} limits it: a delivery
	 * whose count has reached the limit is dead-lettered by its nack. Calls within one
	 * delivery (a listener's in-place attempts, limited by
	 * {@code pgque.listener.retry.max-attempts}) are not counted here.
	 * @return the number of earlier deliveries
	 */
	public int attempt() {
		return (this.retryCount != null) ? this.retryCount : 0;
	}

}
