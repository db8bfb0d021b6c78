package io.pgque.spring.listener.pipeline;

import java.util.function.BooleanSupplier;

import io.pgque.spring.listener.adapter.PgqueHandlerDispatcher;
import io.pgque.spring.listener.error.PgqueBackOffSleeper;
import io.pgque.spring.listener.error.PgqueErrorHandler;
import io.pgque.spring.listener.error.PgqueRetrySettings;
import io.pgque.spring.listener.source.PgqueConsumerJdbc;
import io.pgque.spring.listener.source.PgqueLease;
import org.jspecify.annotations.Nullable;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * What a {@link PgqueBatchProcessor} works with.
 *
 * @param jdbc the consumer's SQL
 * @param dispatcher the handlers
 * @param maxBatchSize the most messages a batch listener is called with at once
 * @param retry the retry settings of handlers that name none of their own
 * @param unknownTypePolicy what to do with events no handler takes
 * @param errorHandler the error handler
 * @param sleeper sleeps between in-place attempts
 * @param abandoned whether the calling worker's batch was given up at shutdown (its
 * container stopped and the shutdown timeout passed): such a batch must roll back, to be
 * delivered again whole, and no handler may run for it any more
 * @param transactions transactions on the PgQue DataSource
 * @param lease the lease checked when a batch is opened, or {@code null} for no check
 * @param observer watches batches, handler calls and outcomes (metrics, observations)
 * @author pgque-spring-boot authors
 */
public record PgqueBatchContext(PgqueConsumerJdbc jdbc, PgqueHandlerDispatcher dispatcher, int maxBatchSize,
		PgqueRetrySettings retry, PgqueUnknownTypePolicy unknownTypePolicy, PgqueErrorHandler errorHandler,
		PgqueBackOffSleeper sleeper, BooleanSupplier abandoned, TransactionTemplate transactions,
		@Nullable PgqueLease lease, PgqueListenerObserver observer) {

}
