package io.pgque.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import io.pgque.spring.listener.PgqueListenerContainerEvent.Kind;
import io.pgque.spring.listener.error.PgqueStopContainerException;
import io.pgque.spring.listener.pipeline.PgqueBatchProcessor;
import io.pgque.spring.listener.pipeline.PgqueBatchResult;
import io.pgque.spring.listener.pipeline.PgqueMdc;
import io.pgque.spring.listener.source.PgqueKeySlots;
import io.pgque.spring.listener.source.PgqueKeySlots.Presence;
import io.pgque.spring.listener.source.PgqueSlotJdbc;
import io.pgque.spring.listener.source.PgqueSlotLostException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The loop of one keyed worker ({@code ordering = KEY}): it holds leases on some of the
 * consumer's partition slots and, round after round, processes one batch of each slot it
 * holds (receive, handlers, ack in the listener's transaction mode, fenced by the slot's
 * lease). Every heartbeat interval (every second while slots change hands) it renews its
 * leases and takes or gives back slots towards its fair share of the workers alive in
 * every instance ({@link PgqueSlotShare}). One slot is worked by one worker at a time, so
 * the events of a key are handled one at a time, in send order.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueKeyedWorker implements PgqueCrewWorker {

	private static final Log logger = LogFactory.getLog(PgqueKeyedWorker.class);

	// how often workers look at the slots while some change hands
	private static final Duration UNSETTLED_REBALANCE = Duration.ofSeconds(1);

	private final PgqueListenerContainer container;

	private final PgqueKeySlots slots;

	private final String worker;

	private final PgqueContainerSignals signals;

	private final PgqueContainerOptions options;

	// the slots this worker holds, by slot number
	private final ConcurrentSkipListMap<Integer, Held> held = new ConcurrentSkipListMap<>();

	private volatile boolean running;

	// the slot being processed, for monitoring
	private volatile @Nullable Held current;

	private long nextRebalance;

	PgqueKeyedWorker(PgqueListenerContainer container, PgqueKeySlots slots, String worker,
			PgqueContainerSignals signals) {
		this.container = container;
		this.slots = slots;
		this.worker = worker;
		this.signals = signals;
		this.options = container.getOptions();
		this.signals.reset();
	}

	@Override
	public String name() {
		return this.worker;
	}

	@Override
	public PgqueContainerSignals signals() {
		return this.signals;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public String restingState() {
		return this.held.isEmpty() ? "standby" : "idle";
	}

	@Override
	public long batchInHand() {
		Held slot = this.current;
		return (slot != null) ? slot.processor().batchInHand() : -1;
	}

	@Override
	public List<Integer> heldSlots() {
		return List.copyOf(this.held.keySet());
	}

	@Override
	public void run() {
		this.running = true;
		try {
			while (!this.signals.isStopRequested()) {
				if (System.nanoTime() - this.nextRebalance >= 0) {
					rebalance();
				}
				if (this.container.awaitUnpaused(this.signals)) {
					continue;
				}
				this.signals.clearWakeUp();
				Round round = processRound();
				if (round == Round.STOPPED) {
					break;
				}
				if (round == Round.FAILED) {
					this.signals.await(this.options.failureDelay(), false);
				}
				else if (round == Round.IDLE) {
					Duration untilRebalance = Duration.ofNanos(Math.max(0, this.nextRebalance - System.nanoTime()));
					this.signals.await(min(this.options.pollInterval(), untilRebalance), true);
				}
			}
		}
		catch (Throwable ex) {
			logger.error(
					"Keyed worker '" + this.worker + "' of " + consumerName() + " stopped after an unexpected failure",
					ex);
			this.container.failedByWorker(ex);
			throw ex;
		}
		finally {
			giveUpAll();
			this.running = false;
			this.container.workerEnded();
		}
	}

	private enum Round {

		BUSY, IDLE, FAILED, STOPPED

	}

	// one batch of each slot held, or none where none is waiting
	private Round processRound() {
		boolean hadBatch = false;
		for (Held slot : this.held.values()) {
			if (this.signals.isStopRequested() || this.container.isPaused()
					|| System.nanoTime() - this.nextRebalance >= 0) {
				return Round.BUSY;
			}
			this.current = slot;
			try {
				PgqueBatchResult result = slot.processor().processNextBatch();
				hadBatch |= result.hadBatch() || slot.jdbc().movedWithoutEvents();
			}
			catch (PgqueSlotLostException ex) {
				// fenced: the batch transaction rolled back; the slot is another's now
				logger.warn("Keyed worker '" + this.worker + "' of " + consumerName() + " lost slot "
						+ slot.jdbc().slot() + ": " + ex.getMessage());
				this.held.remove(slot.jdbc().slot());
				this.container.publish(Kind.BATCH_TAKEN_OVER, ex);
			}
			catch (PgqueStopContainerException ex) {
				logger.error("Container " + this.container.getId() + " stopped by its error handler", ex);
				this.container.failedByWorker(ex);
				return Round.STOPPED;
			}
			catch (RuntimeException ex) {
				this.container.publish(Kind.FAILED, ex);
				if (this.signals.isAbandoned()) {
					logger.debug("Batch of " + consumerName() + " abandoned at shutdown", ex);
					return Round.STOPPED;
				}
				logger.warn("Batch of slot " + slot.jdbc().slot() + " of " + consumerName()
						+ " failed; it will be delivered" + " again, keyed worker '" + this.worker + "' tries again in "
						+ this.options.failureDelay(), ex);
				// the lease may be gone with the connection: check it before the next
				// round
				this.nextRebalance = System.nanoTime();
				return Round.FAILED;
			}
			finally {
				this.current = null;
				PgqueMdc.clear();
			}
		}
		return hadBatch ? Round.BUSY : Round.IDLE;
	}

	// renew what is held, give back above the share, take free slots below it
	private void rebalance() {
		this.nextRebalance = System.nanoTime() + this.options.heartbeatInterval().toNanos();
		Duration ttl = leaseTtl();
		try {
			Presence presence = this.slots.beat(this.worker, ttl);
			if (presence.hungry() > 0 || presence.free() > 0) {
				// slots are changing hands (a worker came or went): look again soon
				this.nextRebalance = System.nanoTime()
						+ Math.min(this.options.heartbeatInterval().toNanos(), UNSETTLED_REBALANCE.toNanos());
			}
			// the other workers of this instance count before their first heartbeat: at
			// start, the first worker does not take every slot only to give most back
			int alive = Math.max(presence.alive(), this.options.concurrency());
			PgqueSlotShare share = new PgqueSlotShare(this.slots.slots(),
					new Presence(alive, presence.free(), presence.hungry()));
			Map<Integer, Long> renewed = this.slots.renew(this.held.keySet(), this.worker, ttl);
			for (Held slot : List.copyOf(this.held.values())) {
				Long epoch = renewed.get(slot.jdbc().slot());
				if (epoch == null) {
					logger.info("Keyed worker '" + this.worker + "' of " + consumerName() + " no longer holds slot "
							+ slot.jdbc().slot());
					this.held.remove(slot.jdbc().slot());
				}
				else {
					slot.jdbc().claimed(epoch);
				}
			}
			int release = share.toRelease(this.held.size());
			for (Integer slot : List.copyOf(this.held.descendingKeySet())) {
				if (release-- <= 0) {
					break;
				}
				giveUp(slot);
			}
			int claim = share.toClaim(this.held.size());
			int n = this.slots.slots();
			int start = Math.floorMod(this.worker.hashCode(), n);
			for (int i = 0; i < n && claim > 0; i++) {
				int slot = (start + i) % n;
				if (!this.held.containsKey(slot)) {
					Long epoch = this.slots.claim(slot, this.worker, ttl);
					if (epoch != null) {
						take(slot, epoch);
						claim--;
					}
				}
			}
		}
		catch (RuntimeException ex) {
			logger.warn(
					"Keyed worker '" + this.worker + "' of " + consumerName() + " could not renew or balance its slots;"
							+ " trying again in " + this.options.heartbeatInterval() + ": " + ex.getMessage());
		}
	}

	private void take(int slot, long epoch) {
		PgqueSlotJdbc jdbc = new PgqueSlotJdbc(this.container.jdbc().dataSource(), this.container.getQueue(),
				this.container.getConsumer(), slot, this.slots.slots(), this.worker);
		jdbc.claimed(epoch);
		PgqueBatchProcessor processor = this.container.createProcessor(jdbc, this.signals, null);
		this.held.put(slot, new Held(jdbc, processor));
		logger.info("Keyed worker '" + this.worker + "' of " + consumerName() + " took slot " + slot);
	}

	private void giveUp(int slot) {
		this.held.remove(slot);
		try {
			this.slots.release(slot, this.worker);
			logger.info("Keyed worker '" + this.worker + "' of " + consumerName() + " gave slot " + slot + " back");
		}
		catch (RuntimeException ex) {
			// its lease runs out by itself
			logger.warn("Keyed worker '" + this.worker + "' of " + consumerName() + " could not give slot " + slot
					+ " back; it is free once its lease expires (" + leaseTtl() + "): " + ex.getMessage());
		}
	}

	// at the end: every slot back, and out of the workers alive, so others take over now
	private void giveUpAll() {
		// a worker interrupted at shutdown still releases: the pool must not refuse it a
		// connection for the interrupt
		boolean interrupted = Thread.interrupted();
		List.copyOf(this.held.keySet()).forEach(this::giveUp);
		try {
			this.slots.leave(this.worker);
		}
		catch (RuntimeException ex) {
			logger.debug("Keyed worker '" + this.worker + "' could not sign off; it is forgotten after its lease", ex);
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	private Duration leaseTtl() {
		Duration dead = this.options.deadInterval();
		return (dead.compareTo(Duration.ofSeconds(1)) < 0) ? Duration.ofSeconds(1) : dead;
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	private String consumerName() {
		return this.container.getQueue() + "/" + this.container.getConsumer();
	}

	/**
	 * A slot held: its SQL (with the epoch of the claim) and its batch pipeline.
	 */
	private record Held(PgqueSlotJdbc jdbc, PgqueBatchProcessor processor) {
	}

}
