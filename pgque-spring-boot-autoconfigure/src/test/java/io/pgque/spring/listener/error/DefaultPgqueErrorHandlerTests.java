package io.pgque.spring.listener.error;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.listener.error.PgqueFailureDecision.Action;
import org.junit.jupiter.api.Test;

import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decisions of the default error handler, without a database.
 */
class DefaultPgqueErrorHandlerTests {

	private static final PgqueMessage MESSAGE = new PgqueMessage(1, 1, "t", "{}", null, OffsetDateTime.now(), null,
			null, null, null);

	private final DefaultPgqueErrorHandler handler = new DefaultPgqueErrorHandler(
			List.of(IllegalArgumentException.class));

	private final PgqueRetrySettings retry = new PgqueRetrySettings(4, Duration.ofMillis(100), 2.0,
			Duration.ofMillis(300), Duration.ofSeconds(30));

	@Test
	void handleWhenAttemptsRemainShouldRetryInPlaceWithGrowingBackOff() {
		assertThat(decide(new IllegalStateException("boom"), 1)).isEqualTo(
				PgqueFailureDecision.retryInPlace(Duration.ofMillis(100), "java.lang.IllegalStateException: boom"));
		assertThat(decide(new IllegalStateException("boom"), 2).delay()).isEqualTo(Duration.ofMillis(200));
		assertThat(decide(new IllegalStateException("boom"), 3).delay()).isEqualTo(Duration.ofMillis(300));
	}

	@Test
	void handleWhenLastAttemptFailedShouldNackWithRetryDelay() {
		PgqueFailureDecision decision = decide(new IllegalStateException("boom"), 4);
		assertThat(decision.action()).isEqualTo(Action.NACK);
		assertThat(decision.delay()).isEqualTo(Duration.ofSeconds(30));
	}

	@Test
	void handleWhenNotRetryableAlongTheCauseChainShouldDeadLetterAtOnce() {
		PgqueFailureDecision decision = decide(new IllegalStateException("outer", new IllegalArgumentException("x")),
				1);
		assertThat(decision.action()).isEqualTo(Action.DEAD_LETTER);
		assertThat(decision.reason()).contains("outer");
	}

	@Test
	void handleWhenReasonIsLongShouldCapIt() {
		assertThat(decide(new IllegalStateException("x".repeat(5000)), 4).reason()).hasSize(2000);
	}

	@Test
	void backOffBeforeShouldMatchTheExponentialBackOffItReplaces() {
		for (PgqueRetrySettings settings : List.of(PgqueRetrySettings.DEFAULTS, this.retry,
				new PgqueRetrySettings(6, Duration.ofMillis(500), 1.5, Duration.ofMillis(100), Duration.ZERO))) {
			ExponentialBackOff backOff = new ExponentialBackOff(settings.initialBackOff().toMillis(),
					settings.multiplier());
			backOff.setMaxInterval(Math.max(settings.maxBackOff().toMillis(), settings.initialBackOff().toMillis()));
			backOff.setMaxAttempts(settings.maxAttempts() - 1);
			BackOffExecution execution = backOff.start();
			for (int attempt = 2; attempt <= settings.maxAttempts(); attempt++) {
				assertThat(settings.backOffBefore(attempt)).isEqualTo(Duration.ofMillis(execution.nextBackOff()));
			}
			assertThat(execution.nextBackOff()).isEqualTo(BackOffExecution.STOP);
		}
	}

	private PgqueFailureDecision decide(Throwable failure, int attempt) {
		return this.handler
			.handle(new PgqueFailedAttempt(List.of(MESSAGE), failure, attempt, this.retry, "Listener x"));
	}

}
