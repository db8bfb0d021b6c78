package io.pgque.spring.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.core.PgqueOperations;
import io.pgque.spring.metrics.PgqueMetrics;
import io.pgque.spring.ticker.PgqueTicker;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With {@code spring.threads.virtual.enabled=true} the ticker, the listener workers, the
 * notification listener, the table leases' heartbeat and the metrics refresh run on
 * virtual threads and still work. Needs Java 21+; {@code .ci/run} runs it on the
 * machine's second JDK.
 */
@EnabledForJreRange(min = JRE.JAVA_21)
class PgqueVirtualThreadsIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, DataSourceAutoConfiguration.class,
				PgqueAutoConfiguration.class, PgqueTickerAutoConfiguration.class, PgqueListenerAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=" + db.jdbcUrl(), "spring.datasource.username=" + db.user(),
				"spring.datasource.password=" + db.password(), "pgque.schema.mode=none",
				"spring.threads.virtual.enabled=true")
		.withUserConfiguration(Recorder.class);

	@Test
	void runWithVirtualThreadsShouldTickAndDeliverOnVirtualThreads() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			long id = context.getBean(PgqueOperations.class).send("vthreads", "hello");
			Recorder recorder = context.getBean(Recorder.class);
			await().atMost(Duration.ofSeconds(20)).until(() -> recorder.virtual.containsKey(id));
			assertThat(recorder.virtual).containsEntry(id, true);
			// The ticker delivered that event; virtual threads are not listed among the
			// platform threads, where a platform ticker thread would be.
			assertThat(context.getBean(PgqueTicker.class).isRunning()).isTrue();
			assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
				.noneMatch((name) -> name.startsWith("pgque-ticker"))
				.doesNotContain("pgque-notifications");
		});
	}

	@Test
	void runWithVirtualThreadsShouldRenewTableLeasesOnAVirtualThread() {
		this.contextRunner.withPropertyValues("pgque.lease.mode=table").run((context) -> {
			assertThat(context).hasNotFailed();
			long id = context.getBean(PgqueOperations.class).send("vthreads", "leased");
			Recorder recorder = context.getBean(Recorder.class);
			// delivered: the container holds its table lease, so the heartbeat runs
			await().atMost(Duration.ofSeconds(20)).until(() -> recorder.virtual.containsKey(id));
			assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
				.noneMatch((name) -> name.startsWith("pgque-lease"));
		});
	}

	@Test
	void runWithVirtualThreadsShouldRefreshMetricsOnAVirtualThread() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(PgqueMetricsAutoConfiguration.class))
			.withBean(SimpleMeterRegistry.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				db.jdbc().queryForObject("SELECT pgque.create_queue('vthreads_metrics')", Integer.class);
				SimpleMeterRegistry registry = new SimpleMeterRegistry();
				context.getBean(PgqueMetrics.class).bindTo(registry);
				// the refresh has run once the queue's gauge exists
				await().atMost(Duration.ofSeconds(20))
					.until(() -> registry.find("pgque.queue.ticker.lag").tag("queue", "vthreads_metrics").gauge(),
							Objects::nonNull);
				// a platform refresh thread would stay alive, listed under this name
				assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
					.noneMatch((name) -> name.startsWith("pgque-metrics"));
			});
	}

	// Thread.isVirtual() is Java 21 API; the code is compiled for Java 17.
	static boolean isVirtual(Thread thread) {
		try {
			return (boolean) Thread.class.getMethod("isVirtual").invoke(thread);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Recorder {

		final Map<Long, Boolean> virtual = new ConcurrentHashMap<>();

		@PgqueListener(queue = "vthreads", consumer = "checker")
		void on(PgqueMessage message) {
			this.virtual.put(message.id(), isVirtual(Thread.currentThread()));
		}

	}

}
