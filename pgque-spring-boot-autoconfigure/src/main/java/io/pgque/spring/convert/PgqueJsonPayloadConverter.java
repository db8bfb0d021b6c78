package io.pgque.spring.convert;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
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

	public PgqueJsonPayloadConverter(JsonMapper jsonMapper, PgqueTypeMapper typeMapper) {
		super(typeMapper);
		this.jsonMapper = jsonMapper;
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
			throw new PgqueConversionException("Cannot read a PgQue payload of type '" + eventType + "' as "
					+ targetType.getTypeName() + ": " + ex.getOriginalMessage(), ex);
		}
	}

}
