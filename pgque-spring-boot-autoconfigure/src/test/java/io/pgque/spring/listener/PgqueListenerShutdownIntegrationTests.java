package io.pgque.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.pgque.spring.core.PgqueHeader;
import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stopping a container: a handler that outlasts the shutdown timeout is interrupted and
 * its batch delivered again to the next lease holder; a back-off sleep ends at once.
 */
class PgqueListenerShutdownIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	static final List<String> handled = new CopyOnWriteArrayList<>();

	static final List<String> interrupted = new CopyOnWriteArrayList<>();

	static volatile CountDownLatch blocked = new CountDownLatch(1);

	private final ListenerTestSupport support = new ListenerTestSupport(db);

	@AfterEach
	void reset() {
		handled.clear();
		interrupted.clear();
		blocked = new CountDownLatch(1);
	}

	@ParameterizedTest
	@ValueSource(strings = { "savepoint", "replay", "at-least-once" })
	void runWhenHandlerOutlastsTheShutdownTimeoutShouldInterruptItAndDeliverTheBatchAgainToTheNextHolder(String mode) {
		String queue = "stuck_" + mode.replace('-', '_');
		this.support.createQueue(queue);
		db.jdbc().execute("CREATE TABLE IF NOT EXISTS effects (queue text, ctx int, payload text)");
		context(queue, 1, mode).run((c1) -> {
			ListenerTestSupport.awaitLease(c1);
			context(queue, 2, mode).run((c2) -> {
				PgqueListenerContainer standby = c2.getBean(PgqueListenerContainerRegistry.class)
					.getRequiredListenerContainer(queue + "/c");
				this.support.insertMany(queue, "test", "m", 3);
				this.support.tick(queue);
				assertThat(blocked.await(10, TimeUnit.SECONDS)).as("ctx1 blocked in m2").isTrue();

				long closing = System.nanoTime();
				c1.close();
				long closeMillis = (System.nanoTime() - closing) / 1_000_000;
				// shutdown timeout 1 s (+ the interrupted batch rolling back)
				assertThat(closeMillis).as("close with a handler that never returns").isBetween(900L, 5000L);
				assertThat(interrupted).as("handler interrupted").containsExactly("1:m2");
				assertThat(handled).filteredOn((call) -> call.startsWith("1:"))
					.as("ctx1 handled nothing after the interrupt")
					.containsExactly("1:m1", "1:m2");

				// the interrupted batch was not acked: the standby gets all of it
				await().atMost(Duration.ofSeconds(10)).until(() -> this.support.isCaughtUp(queue, "c"));
				assertThat(standby.hasLease()).isTrue();
				assertThat(handled).filteredOn((call) -> call.startsWith("2:"))
					.as("the standby got the whole batch")
					.containsExactly("2:m1", "2:m2", "2:m3");
				List<String> effects = db.jdbc()
					.queryForList("SELECT ctx || ':' || payload FROM effects WHERE queue = ? ORDER BY ctid",
							String.class, queue);
				// at-least-once: handlers commit on their own, so ctx1's m1 and m2 stay
				assertThat(effects).as("committed effects")
					.containsExactlyElementsOf(mode.equals("at-least-once")
							? List.of("1:m1", "1:m2", "2:m1", "2:m2", "2:m3") : List.of("2:m1", "2:m2", "2:m3"));
				assertThat(db.jdbc().queryForObject("""
						SELECT count(*) FROM pgque.retry_queue r JOIN pgque.queue q ON q.queue_id = r.ev_queue
						WHERE q.queue_name = ?""", Integer.class, queue)).as("nothing nacked").isZero();
			});
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "savepoint", "replay", "at-least-once" })
	void runWhenStoppedDuringABackOffSleepShouldStopAtOnceAndNackTheFailedEvent(String mode) {
		String queue = "backoff_" + mode.replace('-', '_');
		this.support.createQueue(queue);
		this.support.contextRunner()
			.withPropertyValues("pgque.listener.transaction-mode=" + mode, "pgque.listener.retry.max-attempts=3",
					"pgque.listener.retry.initial-back-off=30s", "test.queue=" + queue)
			.withUserConfiguration(BackOffListener.class)
			.run((context) -> {
				PgqueListenerContainerRegistry registry = context.getBean(PgqueListenerContainerRegistry.class);
				ListenerTestSupport.awaitLease(registry);
				long id = this.support.insert(queue, "test", "fails first");
				this.support.tick(queue);
				await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 1);
				// let the worker get into its 30 s back-off sleep
				Thread.sleep(300);

				long stopping = System.nanoTime();
				registry.stop(queue + "/c");
				long stopMillis = (System.nanoTime() - stopping) / 1_000_000;
				assertThat(stopMillis).as("stop during a 30 s back-off").isLessThan(5000);
				assertThat(handled).as("no attempt after the stop").containsExactly("0:fails first");
				// the failed event was nacked, not lost: it waits in the retry queue
				assertThat(db.jdbc().queryForList("""
						SELECT r.ev_retry FROM pgque.retry_queue r JOIN pgque.queue q ON q.queue_id = r.ev_queue
						WHERE q.queue_name = ? AND r.ev_id = ?""", Integer.class, queue, id)).containsExactly(1);
				assertThat(this.support.isCaughtUp(queue, "c")).isTrue();

				registry.start(queue + "/c");
				ListenerTestSupport.awaitLease(registry);
				this.support.moveRetriesAndTick(queue);
				await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 2);
				assertThat(handled).containsExactly("0:fails first", "1:fails first");
			});
	}

	private ApplicationContextRunner context(String queue, int ctx, String mode) {
		return this.support.contextRunner()
			.withPropertyValues("pgque.listener.transaction-mode=" + mode, "pgque.listener.shutdown-timeout=1s",
					"test.queue=" + queue, "test.ctx=" + ctx)
			.withUserConfiguration(StuckListener.class);
	}

	@Configuration(proxyBeanMethods = false)
	static class BackOffListener {

		@PgqueListener(queue = "${test.queue}", consumer = "c")
		void on(String payload, @PgqueHeader(PgqueHeader.Name.RETRY_COUNT) int retryCount) {
			handled.add(retryCount + ":" + payload);
			if (retryCount == 0) {
				throw new IllegalStateException("fails on first delivery");
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class StuckListener {

		private final JdbcTemplate jdbc;

		private final int ctx;

		private final String queue;

		StuckListener(DataSource dataSource, @Value("${test.ctx}") int ctx, @Value("${test.queue}") String queue) {
			this.jdbc = new JdbcTemplate(dataSource);
			this.ctx = ctx;
			this.queue = queue;
		}

		@PgqueListener(queue = "${test.queue}", consumer = "c")
		void on(String payload, @PgqueHeader(PgqueHeader.Name.ID) long id) throws InterruptedException {
			handled.add(this.ctx + ":" + payload);
			this.jdbc.update("INSERT INTO effects (queue, ctx, payload) VALUES (?, ?, ?)", this.queue, this.ctx,
					payload);
			if (this.ctx == 1 && payload.equals("m2")) {
				blocked.countDown();
				try {
					Thread.sleep(60_000);
				}
				catch (InterruptedException ex) {
					interrupted.add(this.ctx + ":" + payload);
					throw ex;
				}
			}
		}

	}

}
