package io.pgque.spring.diagnostics;

import io.pgque.spring.schema.PgqueEngineNotInstalledException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains {@code pgque.schema.mode=validate} against a database without the engine.
 *
 * @author pgque-spring-boot authors
 */
class PgqueEngineNotInstalledFailureAnalyzer extends AbstractFailureAnalyzer<PgqueEngineNotInstalledException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, PgqueEngineNotInstalledException cause) {
		return new FailureAnalysis(
				"The PgQue engine is not installed in the database, and pgque.schema.mode=validate does not install"
						+ " it (function pgque.version() not found).",
				"Set pgque.schema.mode=install to have the application install the engine, or install it before"
						+ " start-up (see docs/engine.md), or point the DataSource at the database that has it.",
				cause);
	}

}
