package io.pgque.spring.ticker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.pgque.spring.autoconfigure.PgqueAutoConfiguration;
import io.pgque.spring.autoconfigure.PgqueTickerAutoConfiguration;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Delivery with the embedded ticker at its default periods, observed by a receive loop
 * polling every few milliseconds.
 */
class PgqueTickerDeliveryIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final TickerSql sql = new TickerSql(db.jdbc());

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgqueAutoConfiguration.class,
				PgqueTickerAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=" + db.jdbcUrl(), "spring.datasource.username=" + db.user(),
				"spring.datasource.password=" + db.password(), "pgque.schema.mode=none");

	@Test
	void runWithDefaultPeriodShouldDeliverWellUnderASecond() {
		this.sql.createQueue("latency", "c");
		this.contextRunner.run((context) -> {
			awaitLeader(context.getBean(PgqueTicker.class));
			List<Long> latencies = new ArrayList<>();
			for (int i = 0; i < 15; i++) {
				// sends at random phases of the tick period, as real traffic comes
				Thread.sleep(ThreadLocalRandom.current().nextInt(100));
				long sent = System.nanoTime();
				this.sql.send("latency", "event-" + i);
				List<TickerSql.Received> received = new ArrayList<>();
				while (received.isEmpty() && System.nanoTime() - sent < Duration.ofSeconds(5).toNanos()) {
					received.addAll(this.sql.receiveAndAck("latency", "c"));
					Thread.sleep(2);
				}
				assertThat(received).extracting(TickerSql.Received::payload).containsExactly("event-" + i);
				latencies.add(Duration.ofNanos(System.nanoTime() - sent).toMillis());
			}
			Collections.sort(latencies);
			System.out.println("Send-to-receive latency at the default tick period (100 ms), ms: min "
					+ latencies.get(0) + ", median " + latencies.get(latencies.size() / 2) + ", max "
					+ latencies.get(latencies.size() - 1));
			// The median shows the tick period at work; the max only rules out waiting
			// for an age-based tick (3 s at the earliest) or a fallback poll, with slack
			// for a loaded machine (1.5 s failed at 1.5 s under a load of 5).
			assertThat(latencies.get(latencies.size() / 2)).isLessThan(500);
			assertThat(latencies.get(latencies.size() - 1)).isLessThan(2500);
		});
	}

	@Test
	void runWithDefaultRetryPeriodShouldRedeliverANackedEventAfterItsRetryDelay() {
		this.sql.createQueue("retries", "c");
		this.contextRunner.run((context) -> {
			awaitLeader(context.getBean(PgqueTicker.class));
			this.sql.send("retries", "flaky");
			await().atMost(Duration.ofSeconds(2))
				.pollInterval(Duration.ofMillis(5))
				.until(() -> this.sql.receiveAndNackAll("retries", "c", 2) == 1);
			long nacked = System.nanoTime();
			List<TickerSql.Received> again = new ArrayList<>();
			await().atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(5))
				.until(() -> again.addAll(this.sql.receiveAndAck("retries", "c")));
			Duration redelivery = Duration.ofNanos(System.nanoTime() - nacked);
			System.out.println("Nacked with a 2 s retry delay, delivered again after " + redelivery.toMillis() + " ms");
			assertThat(again).singleElement().satisfies((message) -> {
				assertThat(message.payload()).isEqualTo("flaky");
				assertThat(message.retryCount()).isEqualTo(1);
			});
			// due after 2 s; the mover runs every second and the next tick follows within
			// 100 ms
			assertThat(redelivery).isBetween(Duration.ofMillis(1900), Duration.ofMillis(3500));
		});
	}

	static void awaitLeader(PgqueTicker ticker) {
		await().atMost(Duration.ofSeconds(5)).until(ticker::isLeader);
	}

}
