package io.pgque.spring.listener.pipeline;

import java.time.Duration;
import java.util.Map;

import io.pgque.spring.core.PgqueLogText;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.listener.adapter.PgqueDispatchUnit;
import io.pgque.spring.listener.adapter.PgqueHandlerMethod;
import io.pgque.spring.listener.adapter.PgqueInvocation;
import io.pgque.spring.listener.error.PgqueErrorHandler;
import io.pgque.spring.listener.error.PgqueFailedAttempt;
import io.pgque.spring.listener.error.PgqueFailureDecision;
import io.pgque.spring.listener.error.PgqueFailureDecision.Action;
import io.pgque.spring.listener.error.PgqueRetrySettings;
import io.pgque.spring.listener.error.PgqueStopContainerException;
import io.pgque.spring.listener.pipeline.PgqueListenerObserver.Outcome;
import io.pgque.spring.listener.source.PgqueConsumerJdbc;
import io.pgque.spring.listener.source.PgqueOpenBatch;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * What the transaction modes share: opening a batch, invoking handlers with the MDC set,
 * in-place retry, and settling messages (nack, dead letter, unknown types).
 *
 * @author pgque-spring-boot authors
 */
abstract class AbstractPgqueBatchProcessor implements PgqueBatchProcessor {

	private static final Log logger = LogFactory.getLog(AbstractPgqueBatchProcessor.class);

	protected final PgqueBatchContext context;

	protected final PgqueConsumerJdbc jdbc;

	// when the batch in hand was opened, for the observer's batch duration
	private long batchOpenedNanos;

	private volatile long batchInHand = -1;

	// a cooperative member's batch, opened in a short transaction of its own: opening
	// locks the group's rows until commit, so the batch is read and handled in a second
	// transaction, which takes this batch instead of opening one
	private @Nullable Long preopened;

	AbstractPgqueBatchProcessor(PgqueBatchContext context) {
		this.context = context;
		this.jdbc = context.jdbc();
	}

	@Override
	public final PgqueBatchResult processNextBatch() {
		try {
			if (!this.jdbc.isMember()) {
				return process();
			}
			Long batchId = this.context.transactions().execute((status) -> {
				requireTransactionOnPgqueDataSource();
				return this.jdbc.openAsMember();
			});
			if (batchId == null) {
				return PgqueBatchResult.NONE;
			}
			this.batchOpenedNanos = System.nanoTime();
			this.batchInHand = batchId;
			this.preopened = batchId;
			try {
				return process();
			}
			finally {
				this.preopened = null;
			}
		}
		finally {
			this.batchInHand = -1;
		}
	}

	@Override
	public long batchInHand() {
		return this.batchInHand;
	}

	/**
	 * Process the consumer's next batch in the way of the transaction mode, opening it
	 * with {@link #open()}.
	 * @return what was done
	 */
	protected abstract PgqueBatchResult process();

	/**
	 * Open the consumer's batch and read its first page (for a cooperative member, read
	 * the batch opened before the processing transaction).
	 * @return the first page, or {@code null} when there is no new tick
	 */
	protected @Nullable PgqueOpenBatch open() {
		requireTransactionOnPgqueDataSource();
		Long batchId = this.preopened;
		PgqueOpenBatch batch;
		if (batchId != null) {
			batch = this.jdbc.firstPage(batchId);
		}
		else {
			batch = this.jdbc.open(this.context.lease());
			if (batch != null) {
				this.batchOpenedNanos = System.nanoTime();
				this.batchInHand = batch.id();
			}
		}
		if (batch != null) {
			PgqueMdc.batch(this.jdbc.queue(), this.jdbc.consumer(), batch.id());
			this.context.observer().batchOpened(this.jdbc.queue(), this.jdbc.consumer(), batch.messages().size());
		}
		return batch;
	}

	// A transaction manager of another DataSource would leave the batch's statements to
	// connections of their own: the ack would not commit with the handlers' writes, and
	// the subscription row lock would not hold for the batch.
	private void requireTransactionOnPgqueDataSource() {
		if (!TransactionSynchronizationManager.hasResource(this.jdbc.dataSource())) {
			PlatformTransactionManager manager = this.context.transactions().getTransactionManager();
			throw new PgqueTransactionManagerMismatchException(this.jdbc.queue() + "/" + this.jdbc.consumer(),
					(manager != null) ? manager.getClass().getName() : "none");
		}
	}

	/**
	 * Read the page after one.
	 * @param page a page that is not the last
	 * @return the next page
	 */
	protected PgqueOpenBatch nextPage(PgqueOpenBatch page) {
		return this.jdbc.nextPage(page);
	}

	/**
	 * Hand every call of the batch to the action, page by page: a page is read once the
	 * calls of the page before are done, so no more than a page of events is held at
	 * once. Events no handler takes go to the unknown-type policy.
	 * @param first the first page
	 * @param action makes one call, returning whether the handler acknowledged the batch
	 * @return what was dispatched
	 */
	protected Dispatched dispatch(PgqueOpenBatch first, UnitAction action) {
		boolean acknowledged = false;
		int count = 0;
		long lastId = 0;
		PgqueOpenBatch page = first;
		while (true) {
			for (PgqueDispatchUnit unit : this.context.dispatcher()
				.units(page.messages(), this.context.maxBatchSize())) {
				if (unit.handler() == null) {
					unknownType(page.id(), unit);
				}
				else {
					acknowledged |= action.call(page.id(), unit);
				}
			}
			if (!page.messages().isEmpty()) {
				count += page.messages().size();
				lastId = page.lastId();
			}
			if (page.last()) {
				return new Dispatched(first.id(), count, lastId, acknowledged);
			}
			page = nextPage(page);
		}
	}

	/**
	 * Makes one call of a batch.
	 */
	@FunctionalInterface
	protected interface UnitAction {

		boolean call(long batchId, PgqueDispatchUnit unit);

	}

	/**
	 * What {@link #dispatch} did.
	 *
	 * @param batchId the batch
	 * @param count the number of events in it
	 * @param lastId the id of its last event, {@code 0} if it had none
	 * @param acknowledged whether a handler acknowledged it
	 */
	protected record Dispatched(long batchId, int count, long lastId, boolean acknowledged) {
	}

	protected void invoke(PgqueDispatchUnit unit, PgqueUnitAcknowledgement acknowledgement) throws Exception {
		PgqueHandlerMethod handler = unit.handler();
		if (handler == null) {
			throw new IllegalStateException("No handler");
		}
		checkNotAbandoned(unit.firstId());
		PgqueMdc.event(unit.firstId());
		handler.invoke(new PgqueInvocation(this.jdbc.queue(), this.jdbc.consumer(), unit.messages(), acknowledgement));
	}

	/**
	 * Run one call with in-place retry; after the last attempt the unit is settled per
	 * the error handler.
	 * @param batchId the batch
	 * @param unit the call
	 * @param around wraps each attempt (lazy savepoints, in the savepoint mode)
	 * @param afterFailure run after a failed attempt, before anything else
	 * @return whether the handler acknowledged the batch
	 */
	protected boolean runWithRetry(long batchId, PgqueDispatchUnit unit, Around around, Runnable afterFailure) {
		// looked up on the first failure, so a call that succeeds costs nothing here
		PgqueRetrySettings retry = null;
		int attempt = 0;
		PgqueListenerObserver.Unit observed = this.context.observer()
			.unit(this.jdbc.queue(), this.jdbc.consumer(), unit.messages());
		Throwable failure = null;
		try {
			while (true) {
				PgqueUnitAcknowledgement acknowledgement = new PgqueUnitAcknowledgement(unit);
				try {
					around.run(() -> observed.attempt(() -> invoke(unit, acknowledgement)));
				}
				catch (Throwable ex) {
					failure = ex;
					rethrowFatal(ex);
					checkNotAbandoned(unit.firstId());
					afterFailure.run();
					if (retry == null) {
						retry = retry(unit);
					}
					PgqueFailureDecision decision = decisionAfter(unit, ex, retry, ++attempt);
					if (decision == null) {
						unit.messages().forEach((message) -> observed.outcome(message, Outcome.RETRIED));
						continue;
					}
					settle(batchId, unit, decision);
					unit.messages().forEach((message) -> observed.outcome(message, outcome(decision)));
					return false;
				}
				failure = null;
				Map<Long, PgqueFailureDecision> decisions = acknowledgement.decisions();
				apply(batchId, decisions);
				for (PgqueMessage message : unit.messages()) {
					PgqueFailureDecision decision = decisions.get(message.id());
					observed.outcome(message, (decision != null) ? outcome(decision) : Outcome.SUCCESS);
				}
				return acknowledgement.isAcknowledged();
			}
		}
		catch (RuntimeException | Error ex) {
			failure = ex;
			throw ex;
		}
		finally {
			observed.close(failure);
		}
	}

	private static Outcome outcome(PgqueFailureDecision decision) {
		return (decision.action() == Action.DEAD_LETTER) ? Outcome.DEAD_LETTERED : Outcome.NACKED;
	}

	/**
	 * Wraps a handler call.
	 */
	@FunctionalInterface
	protected interface Around {

		void run(PgqueLazySavepoints.Call call) throws Exception;

	}

	/**
	 * Decide what follows a failed call, sleeping the back-off first when it is to be
	 * tried again in place.
	 * @param unit the call
	 * @param failure what it threw
	 * @param retry its retry settings
	 * @param attempt the number of the attempt that failed, from 1
	 * @return how to settle its messages, or {@code null} to call it again now
	 * @throws PgqueStopContainerException if the error handler stops the container
	 */
	protected @Nullable PgqueFailureDecision decisionAfter(PgqueDispatchUnit unit, Throwable failure,
			PgqueRetrySettings retry, int attempt) {
		String description = describe(unit);
		PgqueFailureDecision decision = errorHandler(unit)
			.handle(new PgqueFailedAttempt(unit.messages(), failure, attempt, retry, description));
		if (decision.action() == Action.STOP) {
			throw new PgqueStopContainerException(description, failure);
		}
		if (decision.action() != Action.RETRY_IN_PLACE) {
			return decision;
		}
		if (this.context.sleeper().sleep(decision.delay())) {
			return null;
		}
		// the container is stopping: no more attempts now, the event comes back later
		return new PgqueFailureDecision(Action.NACK, retry.retryDelay(), decision.reason());
	}

	protected static void rethrowFatal(Throwable ex) {
		if (ex instanceof VirtualMachineError error) {
			throw error;
		}
	}

	private PgqueErrorHandler errorHandler(PgqueDispatchUnit unit) {
		PgqueHandlerMethod handler = unit.handler();
		PgqueErrorHandler errorHandler = (handler != null) ? handler.errorHandler() : null;
		return (errorHandler != null) ? errorHandler : this.context.errorHandler();
	}

	protected PgqueRetrySettings retry(PgqueDispatchUnit unit) {
		PgqueHandlerMethod handler = unit.handler();
		PgqueRetrySettings retry = (handler != null) ? handler.retry() : null;
		return (retry != null) ? retry : this.context.retry();
	}

	protected String describe(PgqueDispatchUnit unit) {
		PgqueHandlerMethod handler = unit.handler();
		return "Listener " + ((handler != null) ? handler.description() : "?") + " for event "
				+ ((unit.messages().size() == 1) ? unit.firstId() : unit.firstId() + "+" + (unit.messages().size() - 1))
				+ " of " + this.jdbc.queue() + "/" + this.jdbc.consumer();
	}

	protected void apply(long batchId, Map<Long, PgqueFailureDecision> decisions) {
		decisions.forEach((eventId, decision) -> settle(batchId, eventId, decision));
	}

	/**
	 * Give up the batch when the container stopped and its shutdown timeout passed (the
	 * worker was interrupted): the exception rolls the batch transaction back, so the
	 * whole batch is delivered again, and the interrupted message is neither nacked nor
	 * followed by more handler calls.
	 * @param eventId the event at hand, for the message
	 */
	protected void checkNotAbandoned(long eventId) {
		if (this.context.abandoned().getAsBoolean()) {
			throw new PgqueBatchAbandonedException(this.jdbc.queue(), this.jdbc.consumer(), eventId);
		}
	}

	protected void settle(long batchId, PgqueDispatchUnit unit, PgqueFailureDecision decision) {
		for (PgqueMessage message : unit.messages()) {
			settle(batchId, message.id(), decision);
		}
	}

	protected void settle(long batchId, long eventId, PgqueFailureDecision decision) {
		switch (decision.action()) {
			case NACK -> {
				if (this.jdbc.nack(batchId, eventId, decision.delay(), decision.reason())) {
					logger.info("Event " + eventId + " of " + this.jdbc.queue() + "/" + this.jdbc.consumer()
							+ " nacked; delivered again in " + decision.delay().toSeconds() + " s");
				}
				else {
					logger.warn("Event " + eventId + " of " + this.jdbc.queue() + "/" + this.jdbc.consumer()
							+ " dead-lettered: its retries (the queue's max_retries) are used up");
				}
			}
			case DEAD_LETTER -> this.jdbc.deadLetter(batchId, eventId, decision.reason());
			case RETRY_IN_PLACE, STOP -> throw new IllegalArgumentException("Cannot settle with " + decision);
		}
	}

	/**
	 * Apply the unknown-type policy to messages no handler takes.
	 * @param batchId the batch
	 * @param unit the messages
	 */
	protected void unknownType(long batchId, PgqueDispatchUnit unit) {
		PgqueListenerObserver.Unit observed = this.context.observer()
			.unit(this.jdbc.queue(), this.jdbc.consumer(), unit.messages());
		try {
			settleUnknownType(batchId, unit);
			unit.messages().forEach((message) -> observed.outcome(message, Outcome.UNKNOWN_TYPE));
			observed.close(null);
		}
		catch (RuntimeException ex) {
			observed.close(ex);
			throw ex;
		}
	}

	private void settleUnknownType(long batchId, PgqueDispatchUnit unit) {
		for (PgqueMessage message : unit.messages()) {
			switch (this.context.unknownTypePolicy()) {
				case LOG_AND_ACKNOWLEDGE -> logger.warn("No @PgqueListener method of " + this.jdbc.queue() + "/"
						+ this.jdbc.consumer() + " handles event type '" + PgqueLogText.of(message.type())
						+ "'; acknowledging event " + message.id() + " without handling it");
				case ACKNOWLEDGE -> {
				}
				case DEAD_LETTER -> settle(batchId, message.id(), new PgqueFailureDecision(Action.DEAD_LETTER,
						Duration.ZERO, "no listener for event type '" + PgqueLogText.of(message.type()) + "'"));
			}
		}
	}

	/**
	 * Ack the batch, unless its handlers take acknowledgement into their own hands and
	 * none of them did.
	 * @param batch what was dispatched, every page of it
	 * @return the result
	 * @throws PgqueBatchNotAcknowledgedException if a manual acknowledgement is missing
	 */
	protected PgqueBatchResult complete(Dispatched batch) {
		if (this.context.dispatcher().isManualAcknowledgement() && !batch.acknowledged() && batch.count() > 0) {
			throw new PgqueBatchNotAcknowledgedException(batch.batchId());
		}
		if (batch.count() > 0) {
			checkNotAbandoned(batch.lastId());
		}
		if (!this.jdbc.finish(batch.batchId()) && this.jdbc.isMember()) {
			// fenced: another member owns the batch now, so this transaction must not
			// commit
			String member = this.jdbc.subconsumer();
			throw new PgqueBatchTakenOverException(this.jdbc.queue(), this.jdbc.consumer(),
					(member != null) ? member : "?", batch.batchId());
		}
		this.context.observer()
			.batchFinished(this.jdbc.queue(), this.jdbc.consumer(), batch.count(),
					System.nanoTime() - this.batchOpenedNanos);
		return new PgqueBatchResult(batch.batchId(), batch.count());
	}

}
