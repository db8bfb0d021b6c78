package io.pgque.spring.core;

import io.pgque.spring.PgqueException;
import org.jspecify.annotations.Nullable;

/**
 * Thrown before any SQL runs when a queue, consumer or type name is unusable: null,
 * blank, padded with whitespace, or longer than the engine allows.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueInvalidNameException extends PgqueException {

	private final String kind;

	private final @Nullable String name;

	public PgqueInvalidNameException(String kind, @Nullable String name, String problem) {
		super("Invalid PgQue " + kind + " name " + ((name != null) ? "'" + name + "'" : "null") + ": " + problem);
		this.kind = kind;
		this.name = name;
	}

	/**
	 * What the name names.
	 * @return {@code queue}, {@code consumer} or {@code type}
	 */
	public String getKind() {
		return this.kind;
	}

	/**
	 * The rejected name.
	 * @return the name, or {@code null} if none was given
	 */
	public @Nullable String getName() {
		return this.name;
	}

}
