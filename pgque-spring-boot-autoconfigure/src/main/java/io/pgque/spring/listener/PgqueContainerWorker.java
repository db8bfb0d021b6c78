package io.pgque.spring.listener;

import java.time.Duration;

import io.pgque.spring.listener.PgqueListenerContainerEvent.Kind;
import io.pgque.spring.listener.error.PgqueStopContainerException;
import io.pgque.spring.listener.pipeline.PgqueBatchProcessor;
import io.pgque.spring.listener.pipeline.PgqueBatchResult;
import io.pgque.spring.listener.pipeline.PgqueMdc;
import io.pgque.spring.listener.source.PgqueLease;
import io.pgque.spring.listener.source.PgqueLeaseLostException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The loop a container's worker thread runs: take the lease, wait for ticks, hand each
 * batch to the processor, back off after failures, stand by when the lease is lost.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueContainerWorker implements Runnable {

	private static final Log logger = LogFactory.getLog(PgqueContainerWorker.class);

	private final PgqueListenerContainer container;

	private final PgqueBatchProcessor processor;

	private final PgqueContainerOptions options;

	private final PgqueContainerSignals signals;

	private final PgqueLease lease;

	private long lastVerifiedNanos;

	private final PgqueCooperativeStandby standby;

	PgqueContainerWorker(PgqueListenerContainer container, PgqueBatchProcessor processor, PgqueContainerSignals signals,
			PgqueLease lease) {
		this.container = container;
		this.processor = processor;
		this.options = container.getOptions();
		this.signals = signals;
		this.lease = lease;
		this.standby = new PgqueCooperativeStandby(container.cooperativeGroup(), this.options, this.signals);
	}

	@Override
	public void run() {
		boolean idle = false;
		try {
			while (!this.signals.isStopRequested()) {
				if (!this.lease.isAcquired()) {
					if (!acquireLease()) {
						this.signals.await(this.options.leaseRetryInterval(), false);
						continue;
					}
					this.container.publish(Kind.LEASE_ACQUIRED, null);
					idle = false;
				}
				if (this.container.awaitUnpaused(this.signals)) {
					continue;
				}
				// every batch is opened only if the server says the lease session holds
				// the lock; the lease connection itself is checked once per retry
				// interval too
				if (verifyDue() && !this.lease.verify()) {
					leaseLost();
					continue;
				}
				this.signals.clearWakeUp();
				PgqueBatchResult result;
				try {
					result = this.processor.processNextBatch();
				}
				catch (PgqueLeaseLostException ex) {
					leaseLost();
					continue;
				}
				catch (PgqueStopContainerException ex) {
					logger.error("Container " + this.container.getId() + " stopped by its error handler", ex);
					this.container.markFailed();
					this.container.publish(Kind.FAILED, ex);
					break;
				}
				catch (RuntimeException ex) {
					if (PgqueCooperativeStandby.isCooperativeConsumer(ex)) {
						this.standby.waitForMembersToLeave();
						continue;
					}
					if (this.signals.isAbandoned()) {
						// stop() already warned; whatever the interrupt broke, the batch
						// rolled back and will be delivered again
						logger.debug("Batch of " + name() + " abandoned at shutdown", ex);
						this.container.publish(Kind.FAILED, ex);
						break;
					}
					logger.warn("Batch of " + name() + " failed; it will be delivered again in "
							+ this.options.failureDelay(), ex);
					this.container.publish(Kind.FAILED, ex);
					this.signals.await(this.options.failureDelay(), false);
					continue;
				}
				finally {
					PgqueMdc.clear();
				}
				this.standby.ended();
				if (result.hadBatch()) {
					idle = false;
					continue;
				}
				if (!idle) {
					idle = true;
					this.container.publish(Kind.IDLE, null);
				}
				this.signals.await(this.options.pollInterval(), true);
			}
		}
		catch (Throwable ex) {
			logger.error("Container " + this.container.getId() + " stopped after an unexpected failure", ex);
			this.container.markFailed();
			this.container.publish(Kind.FAILED, ex);
			throw ex;
		}
		finally {
			this.lease.release();
			this.container.workerEnded();
		}
	}

	private String name() {
		return this.container.getQueue() + "/" + this.container.getConsumer();
	}

	private boolean verifyDue() {
		long now = System.nanoTime();
		if (now - this.lastVerifiedNanos < this.options.leaseRetryInterval().toNanos()) {
			return false;
		}
		this.lastVerifiedNanos = now;
		return true;
	}

	private void leaseLost() {
		this.lease.release();
		logger.warn("Container " + this.container.getId() + " lost its lease; standing by");
		this.container.publish(Kind.LEASE_LOST, null);
		this.signals.await(this.options.leaseRetryInterval().multipliedBy(2), false);
	}

	private boolean acquireLease() {
		try {
			return this.lease.tryAcquire();
		}
		catch (Exception ex) {
			logger.warn("Container " + this.container.getId() + " could not try its lease: " + ex);
			return false;
		}
	}

}
