package io.pgque.spring.test;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;

/**
 * Matches when Testcontainers is on the classpath and a Docker engine answers. Asked once
 * per JVM: the answer does not change during a test run, and asking takes seconds when no
 * engine is there. {@code -Dpgque.test.docker=false} skips Docker even when it answers.
 */
class DockerAvailableCondition extends SpringBootCondition {

	private static volatile Boolean available;

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		return available(context.getClassLoader()) ? ConditionOutcome.match("a Docker engine answers")
				: ConditionOutcome.noMatch("no Docker engine (or Testcontainers) available");
	}

	static boolean available(ClassLoader classLoader) {
		Boolean answer = available;
		if (answer == null) {
			answer = !"false".equals(System.getProperty("pgque.test.docker"))
					&& ClassUtils.isPresent("org.testcontainers.DockerClientFactory", classLoader) && dockerAnswers();
			available = answer;
		}
		return answer;
	}

	private static boolean dockerAnswers() {
		try {
			return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException | LinkageError ex) {
			return false;
		}
	}

	/**
	 * The opposite: no Docker engine, so the embedded PostgreSQL.
	 */
	static class Absent extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return available(context.getClassLoader()) ? ConditionOutcome.noMatch("a Docker engine answers")
					: ConditionOutcome.match("no Docker engine: embedded PostgreSQL");
		}

	}

}
