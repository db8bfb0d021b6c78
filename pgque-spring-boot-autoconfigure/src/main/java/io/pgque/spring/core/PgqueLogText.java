package io.pgque.spring.core;

import org.jspecify.annotations.Nullable;

/**
 * Makes text that comes from events (types, payloads) safe to log: control characters
 * could forge log lines, and a writer decides how long the text is.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueLogText {

	/** Longest text kept, in characters; the rest is cut and counted. */
	public static final int MAX_LENGTH = 200;

	private PgqueLogText() {
	}

	/**
	 * The text with every control character written as {@code \\uXXXX}, cut after
	 * {@link #MAX_LENGTH} characters.
	 * @param text the text, possibly {@code null}
	 * @return text fit for one log line
	 */
	public static String of(@Nullable String text) {
		if (text == null) {
			return "null";
		}
		int kept = Math.min(text.length(), MAX_LENGTH);
		StringBuilder safe = new StringBuilder(kept + 16);
		for (int i = 0; i < kept; i++) {
			char c = text.charAt(i);
			if (Character.isISOControl(c)) {
				safe.append(String.format("\\u%04x", (int) c));
			}
			else {
				safe.append(c);
			}
		}
		if (text.length() > kept) {
			safe.append("...(").append(text.length()).append(" chars)");
		}
		return safe.toString();
	}

}
