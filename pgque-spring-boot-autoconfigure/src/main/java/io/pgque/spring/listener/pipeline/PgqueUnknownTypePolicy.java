package io.pgque.spring.listener.pipeline;

/**
 * What a container does with an event whose type no listener method handles.
 *
 * @author pgque-spring-boot authors
 */
public enum PgqueUnknownTypePolicy {

	/**
	 * Log at WARN and let the batch ack skip it.
	 */
	LOG_AND_ACKNOWLEDGE,

	/**
	 * Skip it silently.
	 */
	ACKNOWLEDGE,

	/**
	 * Send it to the dead-letter queue.
	 */
	DEAD_LETTER

}
