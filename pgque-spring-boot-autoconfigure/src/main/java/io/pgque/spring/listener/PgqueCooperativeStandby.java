package io.pgque.spring.listener;

import java.util.Locale;
import java.util.Set;

import io.pgque.spring.listener.source.PgqueCooperativeGroup;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * What a single worker does while its consumer is cooperative (workers of another
 * deployment with a concurrency above 1 are its members): the engine refuses it a batch,
 * so it waits until the members leave, which turns the consumer back into a plain one
 * with the group's cursor, and removes members left behind by crashed instances so that
 * this happens at all. Nothing is lost or repeated meanwhile: the refused call opens
 * nothing.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueCooperativeStandby {

	private static final Log logger = LogFactory.getLog(PgqueCooperativeStandby.class);

	private final PgqueCooperativeGroup group;

	private final PgqueContainerOptions options;

	private final PgqueContainerSignals signals;

	private boolean waiting;

	PgqueCooperativeStandby(PgqueCooperativeGroup group, PgqueContainerOptions options, PgqueContainerSignals signals) {
		this.group = group;
		this.options = options;
		this.signals = signals;
	}

	/**
	 * Whether a failure is the engine refusing a plain batch to a cooperative consumer.
	 * @param ex the failure
	 * @return whether the consumer has members
	 */
	static boolean isCooperativeConsumer(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			String message = cause.getMessage();
			if (message != null && message.toLowerCase(Locale.ROOT).contains("cooperative main consumer")) {
				return true;
			}
		}
		return false;
	}

	void waitForMembersToLeave() {
		if (!this.waiting) {
			this.waiting = true;
			logger.info("Consumer " + this.group.queue() + "/" + this.group.consumer() + " is cooperative (workers"
					+ " with a concurrency above 1 are its members); this single worker waits until they leave");
		}
		PgqueMemberKeeper.removeSilentMembers(this.group, this.options.deadInterval(), Set.of());
		this.signals.await(this.options.leaseRetryInterval(), false);
	}

	void ended() {
		if (this.waiting) {
			this.waiting = false;
			logger.info("Consumer " + this.group.queue() + "/" + this.group.consumer()
					+ " is a single-worker consumer again; its worker takes over");
		}
	}

}
