package io.pgque.spring.test;

import io.pgque.spring.test.postgres.PgqueDocker;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when Testcontainers is on the classpath and a Docker engine answers
 * ({@link PgqueDocker}, the probe the project's own tests use too).
 * {@code -Dpgque.test.docker=false} skips Docker even when it answers.
 */
class DockerAvailableCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		return PgqueDocker.available() ? ConditionOutcome.match("a Docker engine answers")
				: ConditionOutcome.noMatch("no Docker engine (or Testcontainers) available");
	}

	/**
	 * The opposite: no Docker engine, so the embedded PostgreSQL.
	 */
	static class Absent extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return PgqueDocker.available() ? ConditionOutcome.noMatch("a Docker engine answers")
					: ConditionOutcome.match("no Docker engine: embedded PostgreSQL");
		}

	}

}
