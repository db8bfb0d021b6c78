package io.pgque.spring.ticker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.autoconfigure.PgqueAutoConfiguration;
import io.pgque.spring.autoconfigure.PgqueListenerAutoConfiguration;
import io.pgque.spring.autoconfigure.PgqueTickerAutoConfiguration;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.listener.PgqueListenerContainerRegistry;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end delivery with the embedded ticker at its default period and a
 * {@code @PgqueListener} woken by the tick's NOTIFY (its fallback poll set to 10 minutes,
 * so only the wake-up can explain fast delivery).
 */
class PgqueTickerListenerIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final TickerSql sql = new TickerSql(db.jdbc());

	static ApplicationContextRunner contextRunner(PgqueTestDatabase database) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, DataSourceAutoConfiguration.class,
					PgqueAutoConfiguration.class, PgqueTickerAutoConfiguration.class,
					PgqueListenerAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(),
					"spring.datasource.username=" + database.user(),
					"spring.datasource.password=" + database.password(), "pgque.schema.mode=none",
					"pgque.listener.poll-interval=10m", "pgque.listener.lease-retry-interval=200ms");
	}

	@Test
	void runWithDefaultTickPeriodShouldInvokeTheListenerWellUnderASecondAfterTheSendCommits() {
		this.sql.createQueue("orders", "billing");
		contextRunner(db).withUserConfiguration(Recorder.class).run((context) -> {
			PgqueTickerDeliveryIntegrationTests.awaitLeader(context.getBean(PgqueTicker.class));
			await().atMost(Duration.ofSeconds(10))
				.until(() -> context.getBean(PgqueListenerContainerRegistry.class)
					.getRequiredListenerContainer("orders/billing")
					.hasLease());
			Recorder recorder = context.getBean(Recorder.class);
			List<Long> latencies = new ArrayList<>();
			for (int i = 0; i < 15; i++) {
				Thread.sleep(ThreadLocalRandom.current().nextInt(100));
				long id = this.sql.send("orders", "order-" + i);
				long committed = System.nanoTime();
				await().atMost(Duration.ofSeconds(5))
					.pollInterval(Duration.ofMillis(1))
					.until(() -> recorder.invokedAt.containsKey(id));
				latencies.add(Duration.ofNanos(recorder.invokedAt.get(id) - committed).toMillis());
			}
			Collections.sort(latencies);
			System.out.println("Send committed -> @PgqueListener invoked, default tick period (100 ms), ms: min "
					+ latencies.get(0) + ", median " + latencies.get(latencies.size() / 2) + ", max "
					+ latencies.get(latencies.size() - 1));
			// The median shows the tick period at work; the max only rules out waiting
			// for a
			// fallback poll or an age-based tick (seconds), with slack for a loaded
			// machine.
			assertThat(latencies.get(latencies.size() / 2)).isLessThan(500);
			// (below the ~3 s of an age-based tick; a full build once saw 1.6 s)
			assertThat(latencies.get(latencies.size() - 1)).isLessThan(2500);
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class Recorder {

		final Map<Long, Long> invokedAt = new ConcurrentHashMap<>();

		@PgqueListener(queue = "orders", consumer = "billing")
		void on(PgqueMessage message) {
			this.invokedAt.put(message.id(), System.nanoTime());
		}

	}

}
