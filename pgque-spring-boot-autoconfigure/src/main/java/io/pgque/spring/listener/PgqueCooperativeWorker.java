package io.pgque.spring.listener;

import io.pgque.spring.core.PgqueBatchNotFoundException;
import io.pgque.spring.listener.PgqueListenerContainerEvent.Kind;
import io.pgque.spring.listener.error.PgqueStopContainerException;
import io.pgque.spring.listener.pipeline.PgqueBatchProcessor;
import io.pgque.spring.listener.pipeline.PgqueBatchResult;
import io.pgque.spring.listener.pipeline.PgqueBatchTakenOverException;
import io.pgque.spring.listener.pipeline.PgqueMdc;
import io.pgque.spring.listener.source.PgqueCooperativeGroup;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The loop of one cooperative worker: a member (subconsumer) of its consumer's group,
 * which takes the group's next batch (or a silent member's), processes it and acks it,
 * while the other members of this and other instances do the same. Joining the group
 * turns a single-worker consumer into a cooperative one; a graceful stop leaves it,
 * handing back a batch still open.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueCooperativeWorker implements PgqueCrewWorker {

	private static final Log logger = LogFactory.getLog(PgqueCooperativeWorker.class);

	private final PgqueListenerContainer container;

	private final PgqueBatchProcessor processor;

	private final PgqueCooperativeGroup group;

	private final String member;

	private final PgqueContainerOptions options;

	private final PgqueContainerSignals signals;

	// false until the member joined, and again when the heartbeat finds it gone (removed
	// by another instance, or the group dissolved): it joins again before the next batch
	private volatile boolean joined;

	private volatile boolean running;

	PgqueCooperativeWorker(PgqueListenerContainer container, PgqueBatchProcessor processor, PgqueCooperativeGroup group,
			String member, PgqueContainerSignals signals) {
		this.container = container;
		this.signals = signals;
		this.processor = processor;
		this.group = group;
		this.member = member;
		this.options = container.getOptions();
		this.signals.reset();
	}

	@Override
	public String name() {
		return this.member;
	}

	@Override
	public PgqueContainerSignals signals() {
		return this.signals;
	}

	boolean isJoined() {
		return this.joined;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public String restingState() {
		return this.joined ? "idle" : "joining";
	}

	void rejoin() {
		this.joined = false;
	}

	@Override
	public long batchInHand() {
		return this.processor.batchInHand();
	}

	@Override
	public void run() {
		this.running = true;
		try {
			while (!this.signals.isStopRequested()) {
				if (!this.joined && !join()) {
					this.signals.await(this.options.failureDelay(), false);
					continue;
				}
				if (this.container.awaitUnpaused(this.signals)) {
					continue;
				}
				this.signals.clearWakeUp();
				PgqueBatchResult result;
				try {
					result = this.processor.processNextBatch();
				}
				catch (PgqueBatchTakenOverException | PgqueBatchNotFoundException ex) {
					// fenced: the batch transaction rolled back
					logger.warn("Member '" + this.member + "' of " + consumerName()
							+ " lost its batch to another member: " + ex.getMessage());
					this.container.publish(Kind.BATCH_TAKEN_OVER, ex);
					continue;
				}
				catch (PgqueStopContainerException ex) {
					logger.error("Container " + this.container.getId() + " stopped by its error handler", ex);
					this.container.failedByWorker(ex);
					break;
				}
				catch (RuntimeException ex) {
					if (this.signals.isAbandoned()) {
						logger.debug("Batch of " + consumerName() + " abandoned at shutdown", ex);
						this.container.publish(Kind.FAILED, ex);
						break;
					}
					logger.warn("Batch of member '" + this.member + "' of " + consumerName()
							+ " failed; it will be delivered again, this member tries again in "
							+ this.options.failureDelay(), ex);
					this.container.publish(Kind.FAILED, ex);
					// the group may have changed under it (dissolved, member removed)
					this.joined = false;
					this.signals.await(this.options.failureDelay(), false);
					continue;
				}
				finally {
					PgqueMdc.clear();
				}
				if (!result.hadBatch()) {
					this.signals.await(this.options.pollInterval(), true);
				}
			}
		}
		catch (Throwable ex) {
			logger.error("Member '" + this.member + "' of " + consumerName() + " stopped after an unexpected failure",
					ex);
			this.container.failedByWorker(ex);
			throw ex;
		}
		finally {
			leave();
			this.running = false;
			this.container.workerEnded();
		}
	}

	private boolean join() {
		try {
			if (this.group.join(this.member)) {
				logger.info("Member '" + this.member + "' joined cooperative consumer " + consumerName());
			}
			this.joined = true;
			return true;
		}
		catch (RuntimeException ex) {
			// e.g. a single worker of an older deployment has a batch open: the consumer
			// turns cooperative once that batch is acked
			logger.warn("Member '" + this.member + "' could not join cooperative consumer " + consumerName()
					+ "; trying again in " + this.options.failureDelay() + ": " + ex.getMessage());
			return false;
		}
	}

	// hands a batch still open (abandoned at shutdown) back to the group
	private void leave() {
		// a worker interrupted at shutdown still leaves: the pool must not refuse it a
		// connection for the interrupt
		boolean interrupted = Thread.interrupted();
		try {
			if (this.group.leave(this.member)) {
				logger.info("Member '" + this.member + "' left cooperative consumer " + consumerName());
			}
		}
		catch (RuntimeException ex) {
			logger.warn(
					"Member '" + this.member + "' could not leave cooperative consumer " + consumerName()
							+ "; the other members remove it once it has been silent for three times the dead interval",
					ex);
		}
		this.joined = false;
	}

	private String consumerName() {
		return this.group.queue() + "/" + this.group.consumer();
	}

}
