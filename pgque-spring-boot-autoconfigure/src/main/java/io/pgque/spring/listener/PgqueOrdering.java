package io.pgque.spring.listener;

/**
 * What order the workers of a listener keep when it runs more than one
 * ({@code concurrency} above 1).
 *
 * @author pgque-spring-boot authors
 */
public enum PgqueOrdering {

	/**
	 * No order across workers: each worker (a cooperative member) takes the consumer's
	 * next batch, so consecutive batches are handled in parallel, by any instance. Within
	 * a batch, events are handled in event-id order.
	 */
	NONE,

	/**
	 * Per partition key: the consumer is split into slots by the hash of the key an event
	 * was sent with ({@code PgqueTemplate.sendKeyed}); each slot is leased to one worker
	 * of one instance at a time, so the events of one key are handled one at a time, in
	 * send order, while different keys are handled in parallel. Events sent without a key
	 * share one slot.
	 */
	KEY

}
