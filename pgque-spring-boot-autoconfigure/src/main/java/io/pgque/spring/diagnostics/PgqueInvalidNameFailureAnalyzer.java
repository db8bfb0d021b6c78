package io.pgque.spring.diagnostics;

import io.pgque.spring.core.PgqueInvalidNameException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a queue, consumer or type name the engine cannot take.
 *
 * @author pgque-spring-boot authors
 */
class PgqueInvalidNameFailureAnalyzer extends AbstractFailureAnalyzer<PgqueInvalidNameException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, PgqueInvalidNameException cause) {
		return new FailureAnalysis(describe(rootFailure, cause), action(cause.getKind()), cause);
	}

	// where names of that kind come from
	private static String action(String kind) {
		if ("type".equals(kind)) {
			return "Give the event type a non-blank name without surrounding whitespace: check the keys under"
					+ " pgque.template.type-mappings and the type names passed to PgqueTemplate.";
		}
		return "Give the " + kind + " a non-blank name without surrounding whitespace that fits the engine's"
				+ " length limit: check the @PgqueListener queue and consumer attributes (and the properties their"
				+ " placeholders resolve to), the keys under pgque.queues, and the names passed to PgqueTemplate or"
				+ " PgqueQueue.";
	}

	// a listener's endpoint wraps the exception in one whose message names the method
	private static String describe(Throwable rootFailure, PgqueInvalidNameException cause) {
		String description = cause.getMessage();
		for (Throwable current = rootFailure; current != null && current != cause; current = current.getCause()) {
			String message = current.getMessage();
			if (message != null && description != null && message.endsWith(description)) {
				return message;
			}
		}
		return (description != null) ? description : cause.toString();
	}

}
