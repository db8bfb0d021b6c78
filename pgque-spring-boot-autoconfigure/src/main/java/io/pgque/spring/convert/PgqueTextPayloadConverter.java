package io.pgque.spring.convert;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * Sends strings and UTF-8 byte arrays as plain text, unchanged, and reads payloads back
 * as {@code String} or {@code byte[]}. Anything else needs a JSON converter: this one is
 * the fallback when Jackson is not on the class path, and the base of
 * {@link PgqueJsonPayloadConverter}.
 * <p>
 * {@code byte[]} is decoded as UTF-8, strictly: the engine stores text, and bytes that
 * are not valid UTF-8 would not survive the trip. Encode binary data yourself (e.g.
 * Base64).
 *
 * @author pgque-spring-boot authors
 */
public class PgqueTextPayloadConverter implements PgquePayloadConverter {

	private final PgqueTypeMapper typeMapper;

	public PgqueTextPayloadConverter(PgqueTypeMapper typeMapper) {
		this.typeMapper = typeMapper;
	}

	@Override
	public PgquePayload toPayload(Object payload) {
		if (payload instanceof CharSequence text) {
			return PgquePayload.text(checkNoNul(text.toString()));
		}
		if (payload instanceof byte[] bytes) {
			return PgquePayload.text(checkNoNul(decodeUtf8(bytes)));
		}
		return toOtherPayload(payload);
	}

	/**
	 * Convert a payload that is neither text nor bytes.
	 * @param payload the object
	 * @return its stored form
	 */
	protected PgquePayload toOtherPayload(Object payload) {
		throw new PgqueConversionException("Cannot send a " + payload.getClass().getName()
				+ " as a PgQue payload without a JSON mapper: send a String or byte[], add Jackson to the "
				+ "class path, or declare a PgquePayloadConverter bean");
	}

	@Override
	public String typeName(Object payload) {
		return typeName(payload.getClass());
	}

	@Override
	public String typeName(Class<?> type) {
		return this.typeMapper.typeName(type);
	}

	@Override
	public @Nullable Object fromPayload(@Nullable String payload, @Nullable String eventType, Type targetType) {
		if (payload == null) {
			return null;
		}
		if (targetType == String.class || targetType == Object.class || targetType == CharSequence.class) {
			return payload;
		}
		if (targetType == byte[].class) {
			return payload.getBytes(StandardCharsets.UTF_8);
		}
		return fromOtherPayload(payload, eventType, targetType);
	}

	/**
	 * Read a payload into a type other than text or bytes.
	 * @param payload the stored text
	 * @param eventType the event's type name
	 * @param targetType the type to read into
	 * @return the object
	 */
	protected @Nullable Object fromOtherPayload(String payload, @Nullable String eventType, Type targetType) {
		throw new PgqueConversionException("Cannot read a PgQue payload of type '" + eventType + "' as "
				+ targetType.getTypeName() + " without a JSON mapper: add Jackson to the class path, or declare a "
				+ "PgquePayloadConverter bean");
	}

	private static String decodeUtf8(byte[] bytes) {
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes))
				.toString();
		}
		catch (CharacterCodingException ex) {
			throw new PgqueConversionException("A byte[] PgQue payload must be valid UTF-8 (the engine stores text); "
					+ "encode binary data yourself, e.g. as Base64", ex);
		}
	}

	private static String checkNoNul(String text) {
		// PostgreSQL text cannot hold U+0000; fail here rather than with a driver error
		if (text.indexOf('\0') >= 0) {
			throw new PgqueConversionException(
					"A PgQue text payload must not contain NUL (U+0000) characters: PostgreSQL text cannot store them");
		}
		return text;
	}

}
