package io.pgque.spring.schema;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.unit.DataSize;

/**
 * The engine's limits on sent events, as configured ({@code pgque.limits.*}), checked
 * where they are bound so that a bad value fails at start-up naming its property.
 *
 * @param maxPayloadBytes the largest payload, in bytes
 * @param maxTypeBytes the longest type name, in bytes
 * @author pgque-spring-boot authors
 */
public record PgqueEngineLimits(int maxPayloadBytes, int maxTypeBytes) {

	/**
	 * Limits from their configured sizes.
	 * @param maxPayloadSize {@code pgque.limits.max-payload-size}
	 * @param maxTypeNameSize {@code pgque.limits.max-type-name-size}
	 * @return the limits
	 * @throws IllegalArgumentException if a size is below one byte or above what the
	 * engine stores (2 GB - 1 byte)
	 */
	public static PgqueEngineLimits of(DataSize maxPayloadSize, DataSize maxTypeNameSize) {
		return new PgqueEngineLimits(bytes("pgque.limits.max-payload-size", maxPayloadSize),
				bytes("pgque.limits.max-type-name-size", maxTypeNameSize));
	}

	private static int bytes(String property, DataSize size) {
		long bytes = size.toBytes();
		if (bytes < 1 || bytes > Integer.MAX_VALUE) {
			throw new IllegalArgumentException(
					property + " must be between 1B and " + Integer.MAX_VALUE + "B, was " + bytes + "B");
		}
		return (int) bytes;
	}

	// set_limits writes only when a value changes
	void applyTo(JdbcTemplate jdbc) {
		jdbc.queryForObject("SELECT pgque.set_limits(?, ?)::text", String.class, this.maxPayloadBytes,
				this.maxTypeBytes);
	}

}
