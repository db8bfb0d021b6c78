package io.pgque.spring.diagnostics;

import io.pgque.spring.listener.pipeline.PgqueTransactionManagerMismatchException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a listener container whose transaction manager manages another DataSource.
 *
 * @author pgque-spring-boot authors
 */
class PgqueTransactionManagerMismatchFailureAnalyzer
		extends AbstractFailureAnalyzer<PgqueTransactionManagerMismatchException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, PgqueTransactionManagerMismatchException cause) {
		return new FailureAnalysis(String.valueOf(cause.getMessage()),
				"Set pgque.listener.transaction-manager to the name of a transaction manager bean of the PgQue"
						+ " DataSource (the @PgqueDataSource bean, or the application's DataSource), or remove the"
						+ " property so that each container uses a DataSourceTransactionManager of its own.",
				cause);
	}

}
