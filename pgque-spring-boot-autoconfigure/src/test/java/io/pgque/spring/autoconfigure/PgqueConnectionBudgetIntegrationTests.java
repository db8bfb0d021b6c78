package io.pgque.spring.autoconfigure;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.zaxxer.hikari.HikariDataSource;
import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.core.PgqueOperations;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Five listeners and the embedded ticker on pools of every size: each either delivers
 * every event or fails start-up naming the pool size needed and the property to change.
 * Before the connection budget, leases, LISTEN and ticker leadership kept three pooled
 * connections for good and a pool of 2 or 3 started, then delivered nothing.
 */
class PgqueConnectionBudgetIntegrationTests {

	private static final int LISTENERS = 5;

	private static final int EVENTS_PER_QUEUE = 20;

	// one per running container for its batch, one for ticks and sends
	private static final int NEEDED = LISTENERS + 1;

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, DataSourceAutoConfiguration.class,
				PgqueAutoConfiguration.class, PgqueTickerAutoConfiguration.class, PgqueListenerAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=" + db.jdbcUrl(), "spring.datasource.username=" + db.user(),
				"spring.datasource.password=" + db.password(), "pgque.schema.mode=none", "pgque.ticker.mode=embedded",
				"spring.datasource.hikari.connection-timeout=2000")
		.withUserConfiguration(FiveListeners.class);

	@ParameterizedTest(name = "pool of {0}")
	@ValueSource(ints = { 1, 2, 3, 4, 6, 10 })
	void everyPoolSizeEitherDeliversEverythingOrFailsAtStartUp(int poolSize) {
		this.contextRunner.withPropertyValues("spring.datasource.hikari.maximum-pool-size=" + poolSize)
			.run((context) -> {
				if (poolSize < NEEDED) {
					assertThat(context).getFailure()
						.rootCause()
						.hasMessageContaining("has " + poolSize + " connections")
						.hasMessageContaining("at least " + NEEDED)
						.hasMessageContaining("spring.datasource.hikari.maximum-pool-size");
					return;
				}
				assertThat(context).hasNotFailed();
				PgqueOperations template = context.getBean(PgqueOperations.class);
				Set<Long> sent = ConcurrentHashMap.newKeySet();
				for (int queue = 0; queue < LISTENERS; queue++) {
					for (int i = 0; i < EVENTS_PER_QUEUE; i++) {
						sent.add(template.send("budget" + poolSize + "_" + queue, "event " + i));
					}
				}
				FiveListeners listeners = context.getBean(FiveListeners.class);
				await().atMost(Duration.ofSeconds(60)).until(() -> listeners.received.containsAll(sent));
				assertThat(listeners.received).hasSize(sent.size());
				// leases, LISTEN and ticker leadership hold no pooled connection
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				await().atMost(Duration.ofSeconds(10))
					.until(() -> pool.getHikariPoolMXBean().getActiveConnections() == 0);
			});
	}

	// a cooperative container holds a pooled connection per worker
	@ParameterizedTest(name = "pool of {0}")
	@ValueSource(ints = { 4, 5 })
	void cooperativeWorkersCountOneConnectionEach(int poolSize) {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, DataSourceAutoConfiguration.class,
					PgqueAutoConfiguration.class, PgqueTickerAutoConfiguration.class,
					PgqueListenerAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + db.jdbcUrl(), "spring.datasource.username=" + db.user(),
					"spring.datasource.password=" + db.password(), "pgque.schema.mode=none",
					"pgque.ticker.mode=embedded", "spring.datasource.hikari.maximum-pool-size=" + poolSize)
			.withUserConfiguration(FourWorkers.class)
			.run((context) -> {
				if (poolSize < 5) {
					assertThat(context).getFailure()
						.rootCause()
						.hasMessageContaining("its 4 listener workers need at least 5");
					return;
				}
				assertThat(context).hasNotFailed();
				long id = context.getBean(PgqueOperations.class).send("budget_team" + poolSize, "event");
				FourWorkers workers = context.getBean(FourWorkers.class);
				await().atMost(Duration.ofSeconds(60)).until(() -> workers.received.contains(id));
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class FourWorkers {

		final Set<Long> received = ConcurrentHashMap.newKeySet();

		@PgqueListener(queue = "budget_team${spring.datasource.hikari.maximum-pool-size}", consumer = "c",
				concurrency = "4")
		void on(PgqueMessage message) {
			this.received.add(message.id());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FiveListeners {

		final Set<Long> received = ConcurrentHashMap.newKeySet();

		@PgqueListener(queue = "budget${spring.datasource.hikari.maximum-pool-size}_0", consumer = "c")
		void zero(PgqueMessage message) {
			this.received.add(message.id());
		}

		@PgqueListener(queue = "budget${spring.datasource.hikari.maximum-pool-size}_1", consumer = "c")
		void one(PgqueMessage message) {
			this.received.add(message.id());
		}

		@PgqueListener(queue = "budget${spring.datasource.hikari.maximum-pool-size}_2", consumer = "c")
		void two(PgqueMessage message) {
			this.received.add(message.id());
		}

		@PgqueListener(queue = "budget${spring.datasource.hikari.maximum-pool-size}_3", consumer = "c")
		void three(PgqueMessage message) {
			this.received.add(message.id());
		}

		@PgqueListener(queue = "budget${spring.datasource.hikari.maximum-pool-size}_4", consumer = "c")
		void four(PgqueMessage message) {
			this.received.add(message.id());
		}

	}

}
