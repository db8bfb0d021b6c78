package io.pgque.spring.listener.pipeline;

import org.slf4j.MDC;

import org.springframework.util.ClassUtils;

/**
 * Puts queue, consumer, batch id and event id into the SLF4J MDC while a batch is
 * dispatched (the event id changes per call), when SLF4J is on the classpath. The
 * container clears it after each batch.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueMdc {

	static final String QUEUE = "pgque.queue";

	static final String CONSUMER = "pgque.consumer";

	static final String BATCH_ID = "pgque.batchId";

	static final String EVENT_ID = "pgque.eventId";

	private static final boolean PRESENT = ClassUtils.isPresent("org.slf4j.MDC", PgqueMdc.class.getClassLoader());

	private PgqueMdc() {
	}

	static void batch(String queue, String consumer, long batchId) {
		if (PRESENT) {
			MDC.put(QUEUE, queue);
			MDC.put(CONSUMER, consumer);
			MDC.put(BATCH_ID, Long.toString(batchId));
		}
	}

	static void event(long eventId) {
		if (PRESENT) {
			MDC.put(EVENT_ID, Long.toString(eventId));
		}
	}

	/**
	 * Remove the keys; called by the container after each batch.
	 */
	public static void clear() {
		if (PRESENT) {
			MDC.remove(QUEUE);
			MDC.remove(CONSUMER);
			MDC.remove(BATCH_ID);
			MDC.remove(EVENT_ID);
		}
	}

}
