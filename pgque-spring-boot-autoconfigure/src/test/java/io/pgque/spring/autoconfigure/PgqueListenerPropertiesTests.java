package io.pgque.spring.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.pgque.spring.listener.PgqueContainerOptions;
import io.pgque.spring.listener.error.PgqueRetrySettings;
import io.pgque.spring.listener.pipeline.PgqueTransactionMode;
import io.pgque.spring.listener.pipeline.PgqueUnknownTypePolicy;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Every {@code pgque.listener.*} property pinned to the container option it sets: the
 * defaults agree, and a value set for each property arrives in its option.
 */
class PgqueListenerPropertiesTests {

	// properties that configure something other than the container options (the
	// notification ones configure the shared notification listener)
	private static final Set<String> NOT_OPTIONS = Set.of("enabled", "transaction-manager",
			"failure-reasons-with-values", "notifications", "notification-poll-interval", "notification-url",
			"notification-username", "notification-password");

	private static final Map<String, String> VALUES = new LinkedHashMap<>();

	static {
		VALUES.put("auto-startup", "false");
		VALUES.put("auto-subscribe", "false");
		VALUES.put("auto-create-queues", "false");
		VALUES.put("transaction-mode", "replay");
		VALUES.put("unknown-type-policy", "dead-letter");
		VALUES.put("max-batch-size", "7");
		VALUES.put("max-events-in-memory", "11");
		VALUES.put("poll-interval", "13s");
		VALUES.put("lease-retry-interval", "17s");
		VALUES.put("shutdown-timeout", "19s");
		VALUES.put("failure-delay", "23s");
		VALUES.put("not-retryable-exceptions", IllegalStateException.class.getName());
		VALUES.put("retry.max-attempts", "29");
		VALUES.put("retry.initial-back-off", "31ms");
		VALUES.put("retry.multiplier", "3.5");
		VALUES.put("retry.max-back-off", "37s");
		VALUES.put("retry.retry-delay", "41s");
		VALUES.put("concurrency", "43");
		VALUES.put("dead-interval", "47s");
		VALUES.put("instance-id", "node-53");
		VALUES.put("key-slots", "59");
	}

	@Test
	void defaultsOfThePropertiesShouldBeTheDefaultsOfTheOptions() {
		PgqueContainerOptions fromProperties = PgqueListenerContainerFactoryConfigurer
			.options(new PgqueProperties().getListener());
		assertThat(fromProperties).usingRecursiveComparison().isEqualTo(PgqueContainerOptions.builder().build());
	}

	@Test
	void everyPropertyShouldReachItsOption() {
		Map<String, String> source = new LinkedHashMap<>();
		VALUES.forEach((name, value) -> source.put("pgque.listener." + name, value));
		PgqueProperties properties = new Binder(new MapConfigurationPropertySource(source))
			.bind("pgque", Bindable.of(PgqueProperties.class))
			.get();
		PgqueContainerOptions options = PgqueListenerContainerFactoryConfigurer.options(properties.getListener());
		assertThat(options.autoStartup()).isFalse();
		assertThat(options.autoSubscribe()).isFalse();
		assertThat(options.autoCreateQueue()).isFalse();
		assertThat(options.transactionMode()).isEqualTo(PgqueTransactionMode.REPLAY);
		assertThat(options.unknownTypePolicy()).isEqualTo(PgqueUnknownTypePolicy.DEAD_LETTER);
		assertThat(options.maxBatchSize()).isEqualTo(7);
		assertThat(options.maxEventsInMemory()).isEqualTo(11);
		assertThat(options.pollInterval()).isEqualTo(Duration.ofSeconds(13));
		assertThat(options.leaseRetryInterval()).isEqualTo(Duration.ofSeconds(17));
		assertThat(options.shutdownTimeout()).isEqualTo(Duration.ofSeconds(19));
		assertThat(options.failureDelay()).isEqualTo(Duration.ofSeconds(23));
		assertThat(options.notRetryableExceptions()).contains(IllegalStateException.class)
			.containsAll(PgqueContainerOptions.builder().build().notRetryableExceptions());
		assertThat(options.retry()).isEqualTo(
				new PgqueRetrySettings(29, Duration.ofMillis(31), 3.5, Duration.ofSeconds(37), Duration.ofSeconds(41)));
		assertThat(options.concurrency()).isEqualTo(43);
		assertThat(options.deadInterval()).isEqualTo(Duration.ofSeconds(47));
		assertThat(options.instanceId()).isEqualTo("node-53");
		assertThat(options.keySlots()).isEqualTo(59);
	}

	@Test
	void concurrencyBelowOneShouldFailNamingTheProperty() {
		Map<String, String> source = Map.of("pgque.listener.concurrency", "0");
		assertThatExceptionOfType(BindException.class)
			.isThrownBy(() -> new Binder(new MapConfigurationPropertySource(source)).bind("pgque",
					Bindable.of(PgqueProperties.class)))
			.withStackTraceContaining("pgque.listener.concurrency must be at least 1 but was 0");
	}

	@Test
	void keySlotsOutOfRangeShouldFailNamingTheProperty() {
		Map<String, String> source = Map.of("pgque.listener.key-slots", "1025");
		assertThatExceptionOfType(BindException.class)
			.isThrownBy(() -> new Binder(new MapConfigurationPropertySource(source)).bind("pgque",
					Bindable.of(PgqueProperties.class)))
			.withStackTraceContaining("pgque.listener.key-slots must be between 1 and 1024 but was 1025");
	}

	@Test
	void everyListenerPropertyShouldBePinnedHere() throws IOException {
		Set<String> listed = new TreeSet<>();
		try (InputStream metadata = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(metadata).isNotNull();
			JsonNode properties = JsonMapper.builder().build().readTree(metadata).get("properties");
			for (JsonNode property : properties) {
				String name = property.get("name").asString();
				if (name.startsWith("pgque.listener.")) {
					listed.add(name.substring("pgque.listener.".length()));
				}
			}
		}
		Set<String> pinned = new TreeSet<>(VALUES.keySet());
		pinned.addAll(NOT_OPTIONS);
		assertThat(listed).as("pgque.listener properties; pin a new one to its option in this test")
			.containsExactlyInAnyOrderElementsOf(pinned);
		assertThat(List.copyOf(listed)).isNotEmpty();
	}

}
