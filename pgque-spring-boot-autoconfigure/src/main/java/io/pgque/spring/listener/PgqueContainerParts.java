package io.pgque.spring.listener;

import io.pgque.spring.listener.pipeline.PgqueTransactionMode;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

import io.pgque.spring.listener.adapter.PgqueHandlerDispatcher;
import io.pgque.spring.listener.error.PgqueErrorHandler;
import io.pgque.spring.listener.pipeline.PgqueBatchContext;
import io.pgque.spring.listener.pipeline.PgqueBatchProcessor;
import io.pgque.spring.listener.pipeline.PgqueBatchProcessors;
import io.pgque.spring.listener.pipeline.PgqueListenerObserver;
import io.pgque.spring.listener.source.PgqueConsumerJdbc;
import io.pgque.spring.listener.source.PgqueLease;
import io.pgque.spring.listener.source.PgqueNotificationListener;
import org.jspecify.annotations.Nullable;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * The immutable parts a container factory hands a {@link PgqueListenerContainer}; the
 * container assembles its batch pipeline from them when it starts.
 *
 * @param jdbc the consumer's SQL
 * @param lease the consumer's lease
 * @param dispatcher the handlers
 * @param transactionMode the effective transaction mode (not {@code AUTO})
 * @param transactions transactions on the PgQue DataSource
 * @param errorHandler decides what follows a handler failure
 * @param notifications the shared LISTEN connection
 * @param queueCreator creates the queue when it is missing at start-up and
 * {@link PgqueContainerOptions#autoCreateQueue()} is on
 * @param threadFactory creates the worker and stop threads
 * @param observer watches the batch pipeline (metrics, observations)
 * @author pgque-spring-boot authors
 */
public record PgqueContainerParts(PgqueConsumerJdbc jdbc, PgqueLease lease, PgqueHandlerDispatcher dispatcher,
		PgqueTransactionMode transactionMode, TransactionTemplate transactions, PgqueErrorHandler errorHandler,
		PgqueNotificationListener notifications, Consumer<String> queueCreator, ThreadFactory threadFactory,
		PgqueListenerObserver observer) {

	public PgqueContainerParts {
		if (transactionMode == PgqueTransactionMode.AUTO) {
			throw new IllegalArgumentException("Resolve the transaction mode AUTO before creating the container");
		}
	}

	/**
	 * The batch pipeline of one worker.
	 * @param options the container's options
	 * @param workerJdbc the worker's statements (a cooperative member's own)
	 * @param signals the worker's signals (back-off sleeps, abandonment)
	 * @param workerLease the lease the worker checks before acking, or {@code null}
	 * @return the processor
	 */
	PgqueBatchProcessor processor(PgqueContainerOptions options, PgqueConsumerJdbc workerJdbc,
			PgqueContainerSignals signals, @Nullable PgqueLease workerLease) {
		PgqueBatchContext context = new PgqueBatchContext(workerJdbc, this.dispatcher, options.maxBatchSize(),
				options.retry(), options.unknownTypePolicy(), this.errorHandler, signals::sleep, signals::isAbandoned,
				this.transactions, workerLease, this.observer);
		return PgqueBatchProcessors.create(this.transactionMode, context);
	}

}
