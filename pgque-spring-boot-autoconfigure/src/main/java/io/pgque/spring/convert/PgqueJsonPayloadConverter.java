package io.pgque.spring.convert;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The default converter: objects (records, POJOs, maps, collections, {@link JsonNode}) go
 * as JSON through the application's Jackson {@link JsonMapper}; strings and UTF-8 byte
 * arrays go as plain text, unchanged (see {@link PgqueTextPayloadConverter}).
 *
 * @author pgque-spring-boot authors
 */
public class PgqueJsonPayloadConverter extends PgqueTextPayloadConverter {

	private final JsonMapper jsonMapper;

	private final boolean valuesInFailures;

	public PgqueJsonPayloadConverter(JsonMapper jsonMapper, PgqueTypeMapper typeMapper) {
		this(jsonMapper, typeMapper, false);
	}

	/**
	 * Create a converter.
	 * @param jsonMapper reads and writes JSON
	 * @param typeMapper names types
	 * @param valuesInFailures whether a payload that cannot be read is described with
	 * Jackson's own message, which may quote field values of the payload; otherwise the
	 * description names only the failure's kind, the field path and the position, since
	 * it is logged and stored with the dead letter
	 */
	public PgqueJsonPayloadConverter(JsonMapper jsonMapper, PgqueTypeMapper typeMapper, boolean valuesInFailures) {
		super(typeMapper);
		this.jsonMapper = jsonMapper;
		this.valuesInFailures = valuesInFailures;
	}

	@Override
	protected PgquePayload toOtherPayload(Object payload) {
		String json;
		try {
			json = this.jsonMapper.writeValueAsString(payload);
		}
		catch (JacksonException ex) {
			throw new PgqueConversionException(
					"Cannot convert a " + payload.getClass().getName() + " to JSON: " + ex.getOriginalMessage(), ex);
		}
		if (hasEscapedNul(json)) {
			throw new PgqueConversionException("Cannot send a " + payload.getClass().getName()
					+ " as JSON: it contains a NUL (U+0000) character, which PostgreSQL jsonb cannot store");
		}
		return PgquePayload.json(json);
	}

	// jsonb rejects the JSON escape for U+0000; an escaped backslash before "u0000" is
	// not one
	private static boolean hasEscapedNul(String json) {
		for (int at = json.indexOf("\\u0000"); at >= 0; at = json.indexOf("\\u0000", at + 1)) {
			int backslashes = 0;
			for (int i = at; i >= 0 && json.charAt(i) == '\\'; i--) {
				backslashes++;
			}
			if (backslashes % 2 == 1) {
				return true;
			}
		}
		return false;
	}

	@Override
	protected @Nullable Object fromOtherPayload(String payload, @Nullable String eventType, Type targetType) {
		JavaType javaType = this.jsonMapper.constructType(targetType);
		try {
			if (javaType.isTypeOrSubTypeOf(JsonNode.class)) {
				return this.jsonMapper.readTree(payload);
			}
			return this.jsonMapper.readValue(payload, javaType);
		}
		catch (JacksonException ex) {
			String failure = "Cannot read a PgQue payload of type '" + eventType + "' as " + targetType.getTypeName()
					+ ": ";
			if (this.valuesInFailures) {
				throw new PgqueConversionException(failure + ex.getOriginalMessage(), ex);
			}
			// without the cause: its message, logged with the stack trace, quotes values
			throw new PgqueConversionException(failure + withoutValues(ex));
		}
	}

	private static String withoutValues(JacksonException ex) {
		StringBuilder description = new StringBuilder(ex.getClass().getSimpleName());
		if (!ex.getPath().isEmpty()) {
			description.append(" at $");
			for (JacksonException.Reference reference : ex.getPath()) {
				if (reference.getPropertyName() != null) {
					description.append('.').append(reference.getPropertyName());
				}
				else {
					description.append('[').append(reference.getIndex()).append(']');
				}
			}
		}
		TokenStreamLocation location = ex.getLocation();
		if (location != null && location.getLineNr() > 0) {
			description.append(" (line ")
				.append(location.getLineNr())
				.append(", column ")
				.append(location.getColumnNr())
				.append(')');
		}
		return description.append(" (payload values left out: pgque.listener.failure-reasons-with-values)").toString();
	}

}
