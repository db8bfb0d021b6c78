package io.pgque.spring.core;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.entry;

class PgqueQueueConfigTests {

	@Test
	void buildsSqlValuesForEverySetting() {
		PgqueQueueConfig config = PgqueQueueConfig.builder()
			.tickerMaxCount(1)
			.tickerMaxLag(Duration.ofMillis(1500))
			.tickerIdlePeriod(Duration.ofMinutes(2))
			.rotationPeriod(Duration.ofHours(4))
			.maxRetries(0)
			.tickerPaused(true)
			.externalTicker(false)
			.build();
		assertThat(config.values()).containsExactly(entry(PgqueQueueSetting.TICKER_MAX_COUNT, "1"),
				entry(PgqueQueueSetting.TICKER_MAX_LAG, "1.5 seconds"),
				entry(PgqueQueueSetting.TICKER_IDLE_PERIOD, "120 seconds"),
				entry(PgqueQueueSetting.TICKER_PAUSED, "true"),
				entry(PgqueQueueSetting.ROTATION_PERIOD, "14400 seconds"),
				entry(PgqueQueueSetting.EXTERNAL_TICKER, "false"), entry(PgqueQueueSetting.MAX_RETRIES, "0"));
	}

	@Test
	void resetMapsToNull() {
		PgqueQueueConfig config = PgqueQueueConfig.builder().reset(PgqueQueueSetting.MAX_RETRIES).build();
		assertThat(config.contains(PgqueQueueSetting.MAX_RETRIES)).isTrue();
		assertThat(config.values().get(PgqueQueueSetting.MAX_RETRIES)).isNull();
	}

	@Test
	void laterSettingsWinWhenApplied() {
		PgqueQueueConfig config = PgqueQueueDeclarer.STARTER_DEFAULTS.toBuilder()
			.apply(PgqueQueueConfig.builder().tickerMaxCount(50).maxRetries(3).build())
			.build();
		assertThat(config.values()).containsExactly(entry(PgqueQueueSetting.TICKER_MAX_COUNT, "50"),
				entry(PgqueQueueSetting.MAX_RETRIES, "3"));
		assertThat(PgqueQueueDeclarer.STARTER_DEFAULTS.values())
			.containsOnly(entry(PgqueQueueSetting.TICKER_MAX_COUNT, "1"));
	}

	@Test
	void rejectsOutOfRangeValuesNamingTheSetting() {
		assertThatIllegalArgumentException().isThrownBy(() -> PgqueQueueConfig.builder().tickerMaxCount(0))
			.withMessageContaining("ticker_max_count");
		assertThatIllegalArgumentException().isThrownBy(() -> PgqueQueueConfig.builder().maxRetries(-1))
			.withMessageContaining("max_retries");
		assertThatIllegalArgumentException().isThrownBy(() -> PgqueQueueConfig.builder().tickerMaxLag(Duration.ZERO))
			.withMessageContaining("ticker_max_lag");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> PgqueQueueConfig.builder().rotationPeriod(Duration.ofSeconds(-1)))
			.withMessageContaining("rotation_period");
	}

}
