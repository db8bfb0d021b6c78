package io.pgque.spring.health;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Which conditions make the {@code pgque} health DOWN and which only add a warning
 * detail. The defaults never judge consumer lag DOWN: restarting an instance does not
 * make a consumer catch up.
 *
 * @param tickerGrace how much longer than a queue's thresholds its ticker may be silent
 * @param stalledTickerDown whether a stalled ticker is DOWN (otherwise a warning)
 * @param maxConsumerLag consumer lag above which health is DOWN, or {@code null} never
 * @param consumerLagWarning consumer lag above which a warning is added, or {@code null}
 * for none
 * @param failedContainerDown whether a container of this application that stopped by a
 * failure is DOWN (otherwise a warning)
 * @author pgque-spring-boot authors
 */
public record PgqueHealthRules(Duration tickerGrace, boolean stalledTickerDown, @Nullable Duration maxConsumerLag,
		@Nullable Duration consumerLagWarning, boolean failedContainerDown) {

	/**
	 * The defaults: a stalled ticker and a failed container are DOWN, lag is a warning
	 * above five minutes.
	 * @return the default rules
	 */
	public static PgqueHealthRules defaults() {
		return new PgqueHealthRules(Duration.ofSeconds(30), true, null, Duration.ofMinutes(5), true);
	}

}
