package io.pgque.spring.core;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * Checks names before they reach SQL, so bad input fails early with a message naming it.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueNames {

	/**
	 * Longest queue or consumer name in UTF-8 bytes, so that the NOTIFY channel
	 * {@code pgque_<queue>} fits PostgreSQL's 63-byte identifier limit.
	 */
	public static final int MAX_NAME_BYTES = 57;

	private PgqueNames() {
	}

	/**
	 * Check a queue name.
	 * @param queue the name
	 * @return the name
	 * @throws PgqueInvalidNameException if it is unusable
	 */
	public static String requireQueue(@Nullable String queue) {
		return requireName("queue", queue, true);
	}

	/**
	 * Check a consumer name.
	 * @param consumer the name
	 * @return the name
	 * @throws PgqueInvalidNameException if it is unusable
	 */
	public static String requireConsumer(@Nullable String consumer) {
		return requireName("consumer", consumer, true);
	}

	/**
	 * Check an event type name (no length limit).
	 * @param type the name
	 * @return the name
	 * @throws PgqueInvalidNameException if it is unusable
	 */
	public static String requireType(@Nullable String type) {
		return requireName("type", type, false);
	}

	private static String requireName(String kind, @Nullable String name, boolean limited) {
		if (name == null) {
			throw new PgqueInvalidNameException(kind, null, "must not be null");
		}
		if (name.isBlank()) {
			throw new PgqueInvalidNameException(kind, name, "must not be blank");
		}
		if (!name.strip().equals(name)) {
			throw new PgqueInvalidNameException(kind, name, "must not start or end with whitespace");
		}
		if (name.indexOf('\0') >= 0) {
			throw new PgqueInvalidNameException(kind, name, "must not contain NUL characters");
		}
		if (limited) {
			int bytes = name.getBytes(StandardCharsets.UTF_8).length;
			if (bytes > MAX_NAME_BYTES) {
				throw new PgqueInvalidNameException(kind, name,
						"is " + bytes + " bytes in UTF-8, at most " + MAX_NAME_BYTES + " allowed");
			}
		}
		return name;
	}

}
