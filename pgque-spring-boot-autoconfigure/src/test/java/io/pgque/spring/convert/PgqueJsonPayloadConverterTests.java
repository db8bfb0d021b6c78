package io.pgque.spring.convert;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PgqueJsonPayloadConverterTests {

	private final PgqueJsonPayloadConverter converter = new PgqueJsonPayloadConverter(JsonMapper.builder().build(),
			PgqueTypeMapper.simpleNames());

	@Test
	void sendsObjectsAsJsonAndTextAsIs() {
		assertThat(this.converter.toPayload(new Order("o-1", 3)))
			.isEqualTo(PgquePayload.json("{\"id\":\"o-1\",\"qty\":3}"));
		assertThat(this.converter.toPayload("{not json")).isEqualTo(PgquePayload.text("{not json"));
		assertThat(this.converter.toPayload("zażółć 😀".getBytes(StandardCharsets.UTF_8)))
			.isEqualTo(PgquePayload.text("zażółć 😀"));
	}

	@Test
	void readsPayloadsIntoRequestedTypes() {
		assertThat(this.converter.fromPayload("{\"id\":\"o-1\",\"qty\":3}", "Order", Order.class))
			.isEqualTo(new Order("o-1", 3));
		assertThat(this.converter.fromPayload("{\"a\":[1,2]}", null, JsonNode.class).get("a").get(1).asInt())
			.isEqualTo(2);
		assertThat(this.converter.fromPayload("raw", null, String.class)).isEqualTo("raw");
		assertThat(this.converter.fromPayload("raw", null, byte[].class))
			.isEqualTo("raw".getBytes(StandardCharsets.UTF_8));
		assertThat(this.converter.fromPayload(null, null, Order.class)).isNull();
		Object orders = this.converter.fromPayload("[{\"id\":\"a\",\"qty\":1}]", null,
				new TypeReference<List<Order>>() {
				}.getType());
		assertThat(orders).isEqualTo(List.of(new Order("a", 1)));
	}

	@Test
	void unserializablePayloadFailsWithConversionException() {
		assertThatExceptionOfType(PgqueConversionException.class)
			.isThrownBy(() -> this.converter.toPayload(new Exploding()))
			.withMessageContaining(Exploding.class.getName())
			.withMessageContaining("JSON");
	}

	@Test
	void invalidUtf8BytesAndNulCharactersAreRejected() {
		assertThatExceptionOfType(PgqueConversionException.class)
			.isThrownBy(() -> this.converter.toPayload(new byte[] { (byte) 0xC3, (byte) 0x28 }))
			.withMessageContaining("UTF-8");
		assertThatExceptionOfType(PgqueConversionException.class).isThrownBy(() -> this.converter.toPayload("a\0b"))
			.withMessageContaining("NUL");
	}

	@Test
	void jsonWithNulCharacterIsRejectedButAnEscapedBackslashIsNot() {
		assertThatExceptionOfType(PgqueConversionException.class)
			.isThrownBy(() -> this.converter.toPayload(Map.of("k", "a\0b")))
			.withMessageContaining("NUL");
		assertThat(this.converter.toPayload(Map.of("k", "\\u0000")).content()).isEqualTo("{\"k\":\"\\\\u0000\"}");
	}

	@Test
	void unreadablePayloadFailsNamingTheTargetType() {
		assertThatExceptionOfType(PgqueConversionException.class)
			.isThrownBy(() -> this.converter.fromPayload("{\"id\":", "Order", Order.class))
			.withMessageContaining("Order");
	}

	@Test
	void textConverterRefusesObjectsClearly() {
		PgqueTextPayloadConverter text = new PgqueTextPayloadConverter(PgqueTypeMapper.simpleNames());
		assertThatExceptionOfType(PgqueConversionException.class).isThrownBy(() -> text.toPayload(Map.of("a", 1)))
			.withMessageContaining("JSON mapper");
	}

	record Order(String id, int qty) {
	}

	static class Exploding {

		public String getValue() {
			throw new IllegalStateException("boom");
		}

	}

}
