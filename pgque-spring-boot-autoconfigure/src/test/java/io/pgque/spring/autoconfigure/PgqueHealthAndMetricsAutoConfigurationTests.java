package io.pgque.spring.autoconfigure;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.pgque.spring.endpoint.PgqueEndpoint;
import io.pgque.spring.health.PgqueHealthIndicator;
import io.pgque.spring.health.PgqueHealthRules;
import io.pgque.spring.metrics.PgqueContainerMetrics;
import io.pgque.spring.metrics.PgqueListenerMetrics;
import io.pgque.spring.metrics.PgqueMetrics;
import io.pgque.spring.metrics.PgqueSendMetrics;
import io.pgque.spring.observation.PgqueBatchProcessTracingHandler;
import io.pgque.spring.observation.PgqueProcessObservation;
import io.pgque.spring.observation.PgqueSendObservation;
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
					"pgque.health.consumer-lag-warning=1m", "pgque.health.stalled-ticker-down=false",
					"pgque.health.failed-container-down=false", "pgque.health.cache-time=3s",
					"pgque.health.statement-timeout=4s", "pgque.health.dead-letter-count-limit=50",
					"pgque.metrics.refresh-interval=20s")
			.run((context) -> {
				assertThat(context.getBean(PgqueHealthIndicator.class))
					.hasFieldOrPropertyWithValue("rules",
							new PgqueHealthRules(Duration.ofSeconds(45), false, Duration.ofMinutes(2),
									Duration.ofMinutes(1), false))
					.hasFieldOrPropertyWithValue("probe.cacheTime", Duration.ofSeconds(3))
					.hasFieldOrPropertyWithValue("probe.timeoutSeconds", 4)
					.hasFieldOrPropertyWithValue("probe.deadLetterLimit", 50);
				assertThat(context.getBean(PgqueMetrics.class)).hasFieldOrPropertyWithValue("refreshInterval",
						Duration.ofSeconds(20));
			});
	}

	@Test
	void runWithDefaultsShouldReportConsumerLagWithoutJudgingIt() {
		this.contextRunner.run((context) -> assertThat(context.getBean(PgqueHealthIndicator.class))
			.hasFieldOrPropertyWithValue("rules", PgqueHealthRules.defaults()));
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

	@Test
	void runWithAMeterRegistryShouldProvideSendAndListenerMeters() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(PgqueSendMetrics.class)
			.hasSingleBean(PgqueListenerMetrics.class)
			.hasSingleBean(PgqueContainerMetrics.class));
	}

	@Test
	void runWithAnObservationRegistryShouldObserveSendsAndHandling() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(PgqueObservationAutoConfiguration.class))
			.withBean(ObservationRegistry.class, ObservationRegistry::create)
			.run((context) -> assertThat(context).hasSingleBean(PgqueSendObservation.class)
				.hasSingleBean(PgqueProcessObservation.class));
	}

	@Test
	void runWithATracerShouldLinkBatchSpansToTheirMessages() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(PgqueObservationAutoConfiguration.class))
			.withBean(ObservationRegistry.class, ObservationRegistry::create)
			.withBean(Tracer.class, () -> Tracer.NOOP)
			.run((context) -> assertThat(context).hasSingleBean(PgqueBatchProcessTracingHandler.class));
	}

	@Test
	void runWithoutATracerShouldObserveWithoutTracingHandler() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(PgqueObservationAutoConfiguration.class))
			.withBean(ObservationRegistry.class, ObservationRegistry::create)
			.run((context) -> assertThat(context).hasSingleBean(PgqueProcessObservation.class)
				.doesNotHaveBean(PgqueBatchProcessTracingHandler.class));
		this.contextRunner.withConfiguration(AutoConfigurations.of(PgqueObservationAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(Tracer.class))
			.withBean(ObservationRegistry.class, ObservationRegistry::create)
			.run((context) -> assertThat(context).hasSingleBean(PgqueProcessObservation.class)
				.doesNotHaveBean(PgqueBatchProcessTracingHandler.class));
	}

	@Test
	void runWhenObservationsDisabledShouldNotObserve() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(PgqueObservationAutoConfiguration.class))
			.withBean(ObservationRegistry.class, ObservationRegistry::create)
			.withPropertyValues("pgque.observation.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(PgqueSendObservation.class)
				.doesNotHaveBean(PgqueProcessObservation.class));
	}

	@Test
	void runShouldProvideTheEndpointOnlyWhenExposed() {
		ApplicationContextRunner runner = this.contextRunner
			.withConfiguration(AutoConfigurations.of(PgqueEndpointAutoConfiguration.class));
		runner.run((context) -> assertThat(context).doesNotHaveBean(PgqueEndpoint.class));
		runner.withPropertyValues("management.endpoints.web.exposure.include=pgque")
			.run((context) -> assertThat(context).hasSingleBean(PgqueEndpoint.class));
	}

}
