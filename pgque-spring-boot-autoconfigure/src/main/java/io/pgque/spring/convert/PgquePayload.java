package io.pgque.spring.convert;

/**
 * A payload in the form it is sent in: its text and whether that text is JSON (sent
 * through the engine's {@code jsonb} overloads) or plain text (stored byte for byte).
 *
 * @param content the text
 * @param json whether the text is a JSON document
 * @author pgque-spring-boot authors
 */
public record PgquePayload(String content, boolean json) {

	/**
	 * A JSON payload.
	 * @param content the JSON text
	 * @return the payload
	 */
	public static PgquePayload json(String content) {
		return new PgquePayload(content, true);
	}

	/**
	 * A plain-text payload, stored as given.
	 * @param content the text
	 * @return the payload
	 */
	public static PgquePayload text(String content) {
		return new PgquePayload(content, false);
	}

}
