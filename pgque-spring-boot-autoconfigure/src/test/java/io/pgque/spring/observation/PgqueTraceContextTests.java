package io.pgque.spring.observation;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PgqueTraceContextTests {

	private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

	@Test
	void aLoneTraceparentIsStoredBare() {
		assertThat(PgqueTraceContext.format(Map.of("traceparent", TRACEPARENT))).isEqualTo(TRACEPARENT);
		assertThat(PgqueTraceContext.parse(TRACEPARENT)).containsExactly(Map.entry("traceparent", TRACEPARENT));
	}

	@Test
	void severalFieldsAreStoredOnePerLineAndReadBack() {
		Map<String, String> fields = new LinkedHashMap<>();
		fields.put("traceparent", TRACEPARENT);
		fields.put("tracestate", "congo=t61rcWkgMzE;x=y,rojo=00f067aa0ba902b7");
		String stored = PgqueTraceContext.format(fields);
		assertThat(stored)
			.isEqualTo("traceparent=" + TRACEPARENT + "\ntracestate=congo=t61rcWkgMzE;x=y,rojo=00f067aa0ba902b7");
		assertThat(PgqueTraceContext.parse(stored)).isEqualTo(fields);
	}

	@Test
	void nothingToStoreIsNull() {
		assertThat(PgqueTraceContext.format(Map.of())).isNull();
		assertThat(PgqueTraceContext.format(Map.of("bad", "line\nbreak"))).isNull();
		assertThat(PgqueTraceContext.parse(null)).isEmpty();
		assertThat(PgqueTraceContext.parse(" ")).isEmpty();
	}

}
