package io.pgque.spring.core;

import java.time.Duration;
import java.time.OffsetDateTime;

import org.jspecify.annotations.Nullable;

/**
 * A queue's settings and state, from {@code pgque.get_queue_info}.
 *
 * @param name the queue name
 * @param tables how many rotating event tables it has
 * @param currentTable the table inserts go to
 * @param rotationPeriod how often the tables rotate
 * @param switchTime when they last rotated
 * @param externalTicker whether an external ticker supplies the ticks
 * @param tickerPaused whether ticking is paused
 * @param tickerMaxCount events waiting that make the ticker tick
 * @param tickerMaxLag age of the oldest waiting event that makes the ticker tick
 * @param tickerIdlePeriod longest gap between ticks of an idle queue
 * @param tickerLag time since the newest tick
 * @param eventsPerSecond recent event rate, {@code null} when it cannot be measured
 * @param newEvents events sent since the newest tick (an estimate)
 * @param lastTickId the newest tick
 * @author pgque-spring-boot authors
 */
public record PgqueQueueInfo(String name, int tables, int currentTable, Duration rotationPeriod,
		OffsetDateTime switchTime, boolean externalTicker, boolean tickerPaused, int tickerMaxCount,
		Duration tickerMaxLag, Duration tickerIdlePeriod, @Nullable Duration tickerLag,
		@Nullable Double eventsPerSecond, long newEvents, @Nullable Long lastTickId) {

}
