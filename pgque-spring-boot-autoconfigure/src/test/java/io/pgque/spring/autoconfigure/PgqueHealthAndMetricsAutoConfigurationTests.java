package io.pgque.spring.autoconfigure;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgque.spring.health.PgqueHealthIndicator;
import io.pgque.spring.metrics.PgqueMetrics;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class PgqueHealthAndMetricsAutoConfigurationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgqueAutoConfiguration.class,
				PgqueHealthContributorAutoConfiguration.class, PgqueMetricsAutoConfiguration.class))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		.withPropertyValues("spring.datasource.url=" + db.jdbcUrl(), "spring.datasource.username=" + db.user(),
				"spring.datasource.password=" + db.password(), "pgque.schema.mode=none");

	@Test
	void runWithADataSourceShouldProvideHealthAndMetrics() {
		this.contextRunner.run((context) -> assertThat(context).hasNotFailed()
			.hasBean("pgqueHealthIndicator")
			.hasSingleBean(PgqueHealthIndicator.class)
			.hasSingleBean(PgqueMetrics.class));
	}

	@Test
	void runWhenPropertiesAreSetShouldMapThemToHealthAndMetrics() {
		this.contextRunner
			.withPropertyValues("pgque.health.ticker-grace=45s", "pgque.health.max-consumer-lag=2m",
					"pgque.metrics.refresh-interval=20s")
			.run((context) -> {
				assertThat(context.getBean(PgqueHealthIndicator.class))
					.hasFieldOrPropertyWithValue("tickerGrace", Duration.ofSeconds(45))
					.hasFieldOrPropertyWithValue("maxConsumerLag", Duration.ofMinutes(2));
				assertThat(context.getBean(PgqueMetrics.class)).hasFieldOrPropertyWithValue("refreshInterval",
						Duration.ofSeconds(20));
			});
	}

	@Test
	void runWithDefaultsShouldReportConsumerLagWithoutJudgingIt() {
		this.contextRunner.run((context) -> assertThat(context.getBean(PgqueHealthIndicator.class))
			.hasFieldOrPropertyWithValue("tickerGrace", Duration.ofSeconds(30))
			.hasFieldOrPropertyWithValue("maxConsumerLag", null));
	}

	@Test
	void runWhenHealthIndicatorDisabledShouldNotProvideIt() {
		this.contextRunner.withPropertyValues("management.health.pgque.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(PgqueHealthIndicator.class));
	}

	@Test
	void runWhenMetricsDisabledShouldNotProvideThem() {
		this.contextRunner.withPropertyValues("pgque.metrics.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(PgqueMetrics.class));
	}

	@Test
	void runWithoutMicrometerShouldStillProvideHealth() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgqueAutoConfiguration.class,
					PgqueHealthContributorAutoConfiguration.class, PgqueMetricsAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.withPropertyValues("spring.datasource.url=" + db.jdbcUrl(), "spring.datasource.username=" + db.user(),
					"spring.datasource.password=" + db.password(), "pgque.schema.mode=none")
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(PgqueHealthIndicator.class)
				.doesNotHaveBean(PgqueMetrics.class));
	}

}
