package io.pgque.spring.core;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Writes a {@link Duration} as a PostgreSQL interval literal, bound as
 * {@code ?::interval}: the one conversion every statement uses.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueInterval {

	private PgqueInterval() {
	}

	/**
	 * The interval of a duration, in whole microseconds (PostgreSQL's resolution).
	 * @param duration the duration
	 * @return the literal, e.g. {@code 1.5 seconds}
	 */
	public static String of(Duration duration) {
		BigDecimal seconds = BigDecimal.valueOf(duration.getSeconds())
			.add(BigDecimal.valueOf(duration.getNano() / 1000, 6));
		return seconds.stripTrailingZeros().toPlainString() + " seconds";
	}

}
