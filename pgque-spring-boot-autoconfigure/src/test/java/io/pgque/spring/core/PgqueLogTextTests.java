package io.pgque.spring.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Text from events reaches the log on one line and at a bounded length.
 */
class PgqueLogTextTests {

	@Test
	void controlCharactersAreEscapedSoTheyCannotStartAForgedLine() {
		assertThat(PgqueLogText.of("order\n2026-12-02 ERROR forged\r\u0007"))
			.isEqualTo("order\\u000a2026-12-02 ERROR forged\\u000d\\u0007");
	}

	@Test
	void longTextIsCutAndItsLengthGiven() {
		String type = "t".repeat(50_000);
		assertThat(PgqueLogText.of(type)).isEqualTo("t".repeat(PgqueLogText.MAX_LENGTH) + "...(50000 chars)");
	}

	@Test
	void ordinaryTextAndNullStayReadable() {
		assertThat(PgqueLogText.of("OrderPlaced — ünïcode")).isEqualTo("OrderPlaced — ünïcode");
		assertThat(PgqueLogText.of(null)).isEqualTo("null");
	}

}
