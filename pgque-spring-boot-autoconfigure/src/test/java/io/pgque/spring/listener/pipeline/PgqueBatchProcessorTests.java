package io.pgque.spring.listener.pipeline;

import java.lang.reflect.Method;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.pgque.spring.convert.PgqueTextPayloadConverter;
import io.pgque.spring.convert.PgqueTypeMapper;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.listener.adapter.PgqueHandlerDispatcher;
import io.pgque.spring.listener.adapter.PgqueHandlerMethod;
import io.pgque.spring.listener.error.DefaultPgqueErrorHandler;
import io.pgque.spring.listener.error.PgqueErrorHandler;
import io.pgque.spring.listener.error.PgqueFailureDecision;
import io.pgque.spring.listener.error.PgqueRetrySettings;
import io.pgque.spring.listener.error.PgqueStopContainerException;
import io.pgque.spring.listener.source.PgqueConsumerJdbc;
import io.pgque.spring.listener.source.PgqueOpenBatch;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.contains;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * The batch processors without a database: the consumer's SQL is a mock, transactions are
 * counted by a transaction manager that binds the DataSource and nothing else. What the
 * SQL does is covered by the integration tests; here, what the pipeline decides.
 */
class PgqueBatchProcessorTests {

	private static final long BATCH = 42;

	private final DataSource dataSource = mock(DataSource.class);

	private final PgqueConsumerJdbc jdbc = mock(PgqueConsumerJdbc.class);

	private final CountingTransactions transactions = new CountingTransactions(this.dataSource);

	private final Handler handler = new Handler();

	private final List<Duration> sleeps = new ArrayList<>();

	private final AtomicBoolean abandoned = new AtomicBoolean();

	PgqueBatchProcessorTests() {
		when(this.jdbc.queue()).thenReturn("q");
		when(this.jdbc.consumer()).thenReturn("c");
		when(this.jdbc.dataSource()).thenReturn(this.dataSource);
		when(this.jdbc.nack(anyLong(), anyLong(), any(), any())).thenReturn(true);
	}

	@Test
	void atLeastOnceShouldHandEveryPageToTheHandlersAndAckOnceAfterTheLast() {
		PgqueOpenBatch first = page(false, 1, 2);
		when(this.jdbc.open(null)).thenReturn(first);
		when(this.jdbc.nextPage(first)).thenReturn(page(true, 3));
		PgqueBatchResult result = processor(PgqueTransactionMode.AT_LEAST_ONCE, 3,
				new DefaultPgqueErrorHandler(List.of()))
			.processNextBatch();
		assertThat(this.handler.seen).containsExactly("p1", "p2", "p3");
		assertThat(result).isEqualTo(new PgqueBatchResult(BATCH, 3));
		InOrder order = inOrder(this.jdbc);
		order.verify(this.jdbc).open(null);
		order.verify(this.jdbc).nextPage(first);
		order.verify(this.jdbc).finish(BATCH);
		// open, the second page and the ack: three short transactions
		assertThat(this.transactions.commits).hasValue(3);
	}

	@Test
	void replayShouldRollBackAndSettleTheFailedCallInTheNextRun() {
		when(this.jdbc.open(null)).thenReturn(page(true, 1, 2, 3));
		this.handler.failing.add("p2");
		processor(PgqueTransactionMode.REPLAY, 1, new DefaultPgqueErrorHandler(List.of())).processNextBatch();
		assertThat(this.handler.seen).containsExactly("p1", "p2", "p1", "p3");
		assertThat(this.transactions.rollbacks).hasValue(1);
		assertThat(this.transactions.commits).hasValue(1);
		verify(this.jdbc).nack(eq(BATCH), eq(2L), eq(PgqueRetrySettings.DEFAULTS.retryDelay()),
				contains("IllegalStateException"));
		verify(this.jdbc, times(1)).finish(BATCH);
	}

	@Test
	void aFailedAttemptShouldBeRetriedInPlaceAfterTheBackOff() {
		when(this.jdbc.open(null)).thenReturn(page(true, 1));
		this.handler.failuresLeft.set(1);
		processor(PgqueTransactionMode.AT_LEAST_ONCE, 3, new DefaultPgqueErrorHandler(List.of())).processNextBatch();
		assertThat(this.handler.seen).containsExactly("p1", "p1");
		assertThat(this.sleeps).containsExactly(PgqueRetrySettings.DEFAULTS.initialBackOff());
		verify(this.jdbc, never()).nack(anyLong(), anyLong(), any(), any());
		verify(this.jdbc).finish(BATCH);
	}

	@Test
	void aNotRetryableFailureShouldBeDeadLetteredWithoutAnotherAttempt() {
		when(this.jdbc.open(null)).thenReturn(page(true, 1));
		this.handler.failing.add("p1");
		processor(PgqueTransactionMode.AT_LEAST_ONCE, 3,
				new DefaultPgqueErrorHandler(List.of(IllegalStateException.class)))
			.processNextBatch();
		assertThat(this.handler.seen).containsExactly("p1");
		assertThat(this.sleeps).isEmpty();
		verify(this.jdbc).deadLetter(eq(BATCH), eq(1L), contains("IllegalStateException"));
		verify(this.jdbc).finish(BATCH);
	}

	@Test
	void aStopDecisionShouldEndTheBatchWithoutTheAck() {
		when(this.jdbc.open(null)).thenReturn(page(true, 1, 2));
		this.handler.failing.add("p1");
		PgqueErrorHandler stop = (attempt) -> PgqueFailureDecision.stop("stop");
		assertThatExceptionOfType(PgqueStopContainerException.class)
			.isThrownBy(() -> processor(PgqueTransactionMode.REPLAY, 3, stop).processNextBatch());
		assertThat(this.handler.seen).containsExactly("p1");
		verify(this.jdbc, never()).finish(anyLong());
	}

	@Test
	void anAbandonedBatchShouldRunNoHandlerAndNotBeAcked() {
		when(this.jdbc.open(null)).thenReturn(page(true, 1));
		this.abandoned.set(true);
		assertThatExceptionOfType(PgqueBatchAbandonedException.class)
			.isThrownBy(() -> processor(PgqueTransactionMode.AT_LEAST_ONCE, 3, new DefaultPgqueErrorHandler(List.of()))
				.processNextBatch());
		assertThat(this.handler.seen).isEmpty();
		verify(this.jdbc, never()).finish(anyLong());
	}

	@Test
	void noBatchShouldRunNothing() {
		PgqueBatchResult result = processor(PgqueTransactionMode.REPLAY, 3, new DefaultPgqueErrorHandler(List.of()))
			.processNextBatch();
		assertThat(result.hadBatch()).isFalse();
		verify(this.jdbc, never()).finish(anyLong());
	}

	private PgqueBatchProcessor processor(PgqueTransactionMode mode, int maxAttempts, PgqueErrorHandler errorHandler) {
		PgqueHandlerDispatcher dispatcher = new PgqueHandlerDispatcher("q/c",
				List.of(new PgqueHandlerMethod(this.handler, Handler.METHOD, Set.of(), null, null,
						new PgqueTextPayloadConverter(PgqueTypeMapper.simpleNames()))));
		PgqueBatchContext context = new PgqueBatchContext(this.jdbc, dispatcher, 500,
				PgqueRetrySettings.DEFAULTS.withMaxAttempts(maxAttempts), PgqueUnknownTypePolicy.LOG_AND_ACKNOWLEDGE,
				errorHandler, (duration) -> this.sleeps.add(duration), this.abandoned::get,
				new TransactionTemplate(this.transactions), null, PgqueListenerObserver.NONE);
		return PgqueBatchProcessors.create(mode, context);
	}

	private static PgqueOpenBatch page(boolean last, long... ids) {
		List<PgqueMessage> messages = new ArrayList<>();
		for (long id : ids) {
			messages
				.add(new PgqueMessage(id, BATCH, "test", "p" + id, null, OffsetDateTime.now(), null, null, null, null));
		}
		return new PgqueOpenBatch(BATCH, messages, last);
	}

	static class Handler {

		static final Method METHOD;

		static {
			try {
				METHOD = Handler.class.getDeclaredMethod("on", String.class);
			}
			catch (NoSuchMethodException ex) {
				throw new IllegalStateException(ex);
			}
		}

		final List<String> seen = new ArrayList<>();

		final Set<String> failing = new java.util.HashSet<>();

		final AtomicInteger failuresLeft = new AtomicInteger();

		void on(String payload) {
			this.seen.add(payload);
			if (this.failing.contains(payload) || this.failuresLeft.getAndDecrement() > 0) {
				throw new IllegalStateException("failing " + payload);
			}
		}

	}

	/**
	 * Binds the DataSource for the transaction, as a DataSourceTransactionManager would,
	 * and counts commits and rollbacks.
	 */
	static final class CountingTransactions extends AbstractPlatformTransactionManager {

		private final DataSource dataSource;

		final AtomicInteger commits = new AtomicInteger();

		final AtomicInteger rollbacks = new AtomicInteger();

		CountingTransactions(DataSource dataSource) {
			this.dataSource = dataSource;
		}

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
			TransactionSynchronizationManager.bindResource(this.dataSource, "connection");
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
			this.commits.incrementAndGet();
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
			this.rollbacks.incrementAndGet();
		}

		@Override
		protected void doCleanupAfterCompletion(Object transaction) {
			TransactionSynchronizationManager.unbindResource(this.dataSource);
		}

	}

}
