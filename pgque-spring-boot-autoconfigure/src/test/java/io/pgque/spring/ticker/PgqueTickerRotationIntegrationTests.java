package io.pgque.spring.ticker;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.pgque.spring.autoconfigure.PgqueAutoConfiguration;
import io.pgque.spring.autoconfigure.PgqueTickerAutoConfiguration;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rotation of event tables by the embedded ticker's maintenance while events flow.
 */
class PgqueTickerRotationIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final TickerSql sql = new TickerSql(db.jdbc());

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgqueAutoConfiguration.class,
				PgqueTickerAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=" + db.jdbcUrl(), "spring.datasource.username=" + db.user(),
				"spring.datasource.password=" + db.password(), "pgque.schema.mode=none",
				"pgque.ticker.tick-period=50ms", "pgque.ticker.maintenance-period=250ms");

	@Test
	void runUnderLoadShouldRotateOnTheQueuesPeriodAndLoseNoEvent() {
		this.sql.createQueue("busy", "c");
		db.jdbc().update("UPDATE pgque.queue SET queue_rotation_period = '1 second' WHERE queue_name = 'busy'");
		this.contextRunner.run((context) -> {
			PgqueTickerDeliveryIntegrationTests.awaitLeader(context.getBean(PgqueTicker.class));
			ConcurrentLinkedQueue<Long> sent = new ConcurrentLinkedQueue<>();
			long producing = Duration.ofMillis(4500).toNanos();
			CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
				long start = System.nanoTime();
				int i = 0;
				while (System.nanoTime() - start < producing) {
					sent.add(this.sql.send("busy", "event-" + i++));
					sleep(3);
				}
			});
			List<Long> received = new ArrayList<>();
			Set<Timestamp> switches = new LinkedHashSet<>();
			long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
			while (!(producer.isDone() && received.size() >= sent.size()) && System.nanoTime() < deadline) {
				this.sql.receiveAndAck("busy", "c").forEach((message) -> received.add(message.id()));
				switches.add(db.jdbc()
					.queryForObject("SELECT queue_switch_time FROM pgque.queue WHERE queue_name = 'busy'",
							Timestamp.class));
				sleep(10);
			}
			producer.join();
			List<Timestamp> rotations = new ArrayList<>(switches).subList(1, switches.size());
			System.out.println("Rotated " + rotations.size() + " times while " + sent.size()
					+ " events flowed; switch times " + switches);
			assertThat(rotations).hasSizeGreaterThanOrEqualTo(3);
			// gaps between rotations made during the run (the first switch time is the
			// queue's
			// creation): never before the queue's rotation period, at most a few
			// maintenance
			// periods after it
			for (int i = 1; i < rotations.size(); i++) {
				Duration gap = Duration.between(rotations.get(i - 1).toInstant(), rotations.get(i).toInstant());
				assertThat(gap).isBetween(Duration.ofSeconds(1), Duration.ofMillis(2500));
			}
			assertThat(new HashSet<>(received)).hasSize(received.size()).containsExactlyInAnyOrderElementsOf(sent);
		});
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
