package io.pgque.spring.ticker;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PgqueTickerOptionsTests {

	@Test
	void defaultsFavourLatency() {
		PgqueTickerOptions options = PgqueTickerOptions.defaults();
		assertThat(options.tickPeriod()).isEqualTo(Duration.ofMillis(100));
		assertThat(options.retryPeriod()).isEqualTo(Duration.ofSeconds(1));
		assertThat(options.maintenancePeriod()).isEqualTo(Duration.ofSeconds(30));
		assertThat(options.takeoverInterval()).isEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void zeroTickPeriodIsRejectedNamingTheProperty() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PgqueTickerOptions(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(30),
					Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10)))
			.withMessageContaining("pgque.ticker.tick-period must be positive");
	}

	@Test
	void subSecondQueryTimeoutIsRejected() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PgqueTickerOptions(Duration.ofMillis(100), Duration.ofSeconds(1),
					Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(10)))
			.withMessageContaining("pgque.ticker.query-timeout");
	}

}
