package io.pgque.spring.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PgqueNamesTests {

	@Test
	void acceptsNameOf57BytesIncludingMultiByteCharacters() {
		String name = "é".repeat(28) + "x"; // 28 * 2 + 1 = 57 bytes
		assertThat(PgqueNames.requireQueue(name)).isEqualTo(name);
	}

	@Test
	void rejectsNameOver57Bytes() {
		String name = "é".repeat(29); // 58 bytes, 29 characters
		assertThatExceptionOfType(PgqueInvalidNameException.class).isThrownBy(() -> PgqueNames.requireQueue(name))
			.withMessageContaining("queue")
			.withMessageContaining("58 bytes")
			.withMessageContaining("at most 57");
	}

	@Test
	void rejectsNullBlankAndPaddedNames() {
		assertThatExceptionOfType(PgqueInvalidNameException.class).isThrownBy(() -> PgqueNames.requireQueue(null))
			.withMessage("Invalid PgQue queue name null: must not be null");
		assertThatExceptionOfType(PgqueInvalidNameException.class).isThrownBy(() -> PgqueNames.requireConsumer("  "))
			.withMessageContaining("consumer")
			.withMessageContaining("blank");
		assertThatExceptionOfType(PgqueInvalidNameException.class).isThrownBy(() -> PgqueNames.requireQueue(" orders"))
			.withMessageContaining("whitespace");
	}

	@Test
	void typeNamesHaveNoLengthLimit() {
		String type = "t".repeat(200);
		assertThat(PgqueNames.requireType(type)).isEqualTo(type);
		assertThatExceptionOfType(PgqueInvalidNameException.class).isThrownBy(() -> PgqueNames.requireType(""))
			.withMessageContaining("type");
	}

}
