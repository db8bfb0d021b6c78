package io.pgque.spring.observation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The trace context stored with an event, in its {@code ev_extra4} field (the engine's
 * {@code extra4} of a received message). The format is the propagation fields, one
 * {@code name=value} per line; a lone W3C {@code traceparent} is stored bare, so a
 * producer in any language can write just
 * {@code 00-<32 hex trace id>-<16 hex span id>-01}.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueTraceContext {

	/**
	 * The propagation field stored bare when it is the only one.
	 */
	public static final String TRACEPARENT = "traceparent";

	private PgqueTraceContext() {
	}

	/**
	 * Write propagation fields in the stored format.
	 * @param fields the fields, as a propagator wrote them
	 * @return the text for {@code ev_extra4}, or {@code null} when there are none
	 */
	public static @Nullable String format(Map<String, String> fields) {
		if (fields.isEmpty()) {
			return null;
		}
		if (fields.size() == 1 && fields.containsKey(TRACEPARENT)) {
			return fields.get(TRACEPARENT);
		}
		StringBuilder text = new StringBuilder();
		fields.forEach((name, value) -> {
			// header values never hold line breaks; drop a field that would break the
			// format
			if (!name.contains("=") && !name.contains("\n") && !value.contains("\n")) {
				text.append((text.length() > 0) ? "\n" : "").append(name).append('=').append(value);
			}
		});
		return (text.length() > 0) ? text.toString() : null;
	}

	/**
	 * Read the stored format back.
	 * @param stored the {@code extra4} text, may be {@code null}
	 * @return the fields, empty when there are none
	 */
	public static Map<String, String> parse(@Nullable String stored) {
		if (stored == null || stored.isBlank()) {
			return Collections.emptyMap();
		}
		Map<String, String> fields = new LinkedHashMap<>();
		for (String line : stored.split("\n")) {
			int equals = line.indexOf('=');
			if (equals < 0) {
				fields.put(TRACEPARENT, line.trim());
			}
			else if (equals > 0) {
				fields.put(line.substring(0, equals).trim(), line.substring(equals + 1).trim());
			}
		}
		return fields;
	}

}
