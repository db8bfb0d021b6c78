package io.pgque.spring.listener;

import io.pgque.spring.core.PgqueAcknowledgement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import io.pgque.spring.core.PgqueHeader;
import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.listener.PgqueListenerContainerEvent.Kind;
import io.pgque.spring.listener.pipeline.PgqueBatchNotAcknowledgedException;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A listener that takes a {@link PgqueAcknowledgement} and returns without calling
 * {@code acknowledge()}: the batch is not acked, its writes and decisions do not commit,
 * and the same events come again after the failure delay. (The positive case, decisions
 * applied with the ack, is in {@link PgqueListenerErrorHandlingIntegrationTests}.)
 */
class PgqueListenerManualAckIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	static final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

	static final List<Throwable> failures = new CopyOnWriteArrayList<>();

	static volatile boolean acknowledging;

	private final ListenerTestSupport support = new ListenerTestSupport(db);

	@AfterEach
	void reset() {
		deliveries.clear();
		failures.clear();
		acknowledging = false;
	}

	@ParameterizedTest
	@ValueSource(strings = { "savepoint", "replay", "at-least-once" })
	void runWhenHandlerDoesNotAcknowledgeShouldDeliverTheSameBatchAgainAndLoseNothing(String mode) {
		String queue = "manual_" + mode.replace('-', '_');
		this.support.createQueue(queue);
		db.jdbc().execute("CREATE TABLE IF NOT EXISTS effects (queue text, payload text)");
		this.support.contextRunner()
			.withPropertyValues("pgque.listener.transaction-mode=" + mode, "pgque.listener.failure-delay=500ms",
					"test.queue=" + queue)
			.withUserConfiguration(UnacknowledgingListener.class)
			.run((context) -> {
				ListenerTestSupport.awaitLease(context);
				List<Long> ids = this.support.insertMany(queue, "test", "m", 3);
				this.support.tick(queue);
				// two rounds without acknowledge(): the whole batch, twice
				await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.size() >= 6 && failures.size() >= 2);
				List<Delivery> rounds = List.copyOf(deliveries).subList(0, 6);
				assertThat(rounds).extracting(Delivery::id)
					.containsExactly(ids.get(0), ids.get(1), ids.get(2), ids.get(0), ids.get(1), ids.get(2));
				if (mode.equals("at-least-once")) {
					// the batch was opened in a transaction of its own and stays open
					assertThat(rounds.get(3).batchId()).isEqualTo(rounds.get(0).batchId());
				}
				else {
					// rolled back with the batch transaction: the batch is opened anew
					assertThat(rounds.get(3).batchId()).isNotEqualTo(rounds.get(0).batchId());
				}
				assertThat(rounds.get(3).nanos() - rounds.get(2).nanos()).as("again after the failure delay")
					.isGreaterThanOrEqualTo(Duration.ofMillis(400).toNanos());
				assertThat(failures.get(0)).isInstanceOf(PgqueBatchNotAcknowledgedException.class)
					.hasMessageContaining(String.valueOf(rounds.get(0).batchId()));
				assertThat(this.support.isCaughtUp(queue, "c")).as("cursor moved").isFalse();
				if (!mode.equals("at-least-once")) {
					// rolled back with the batch transaction
					assertThat(retries(queue)).as("retryLater of an unacknowledged batch").isZero();
					assertThat(effects(queue)).as("writes of unacknowledged batches").isEmpty();
				}

				acknowledging = true;
				int before = deliveries.size();
				await().atMost(Duration.ofSeconds(10)).until(() -> this.support.isCaughtUp(queue, "c"));
				List<Delivery> acknowledged = List.copyOf(deliveries).subList(before, deliveries.size());
				assertThat(acknowledged).extracting(Delivery::id).endsWith(ids.get(0), ids.get(1), ids.get(2));
				// the acknowledged batch committed its writes and the nack of m2
				assertThat(effects(queue)).endsWith("m1", "m2", "m3");
				assertThat(retries(queue)).isEqualTo(1);
			});
	}

	private List<String> effects(String queue) {
		return db.jdbc().queryForList("SELECT payload FROM effects WHERE queue = ? ORDER BY ctid", String.class, queue);
	}

	private int retries(String queue) {
		return db.jdbc().queryForObject("""
				SELECT count(*) FROM pgque.retry_queue r JOIN pgque.queue q ON q.queue_id = r.ev_queue
				WHERE q.queue_name = ?""", Integer.class, queue);
	}

	record Delivery(long id, long batchId, long nanos) {
	}

	@Configuration(proxyBeanMethods = false)
	static class UnacknowledgingListener {

		private final JdbcTemplate jdbc;

		private final String queue;

		UnacknowledgingListener(DataSource dataSource, @Value("${test.queue}") String queue) {
			this.jdbc = new JdbcTemplate(dataSource);
			this.queue = queue;
		}

		@PgqueListener(queue = "${test.queue}", consumer = "c")
		void on(String payload, @PgqueHeader(PgqueHeader.Name.ID) long id,
				@PgqueHeader(PgqueHeader.Name.BATCH_ID) long batchId, PgqueAcknowledgement acknowledgement) {
			deliveries.add(new Delivery(id, batchId, System.nanoTime()));
			this.jdbc.update("INSERT INTO effects (queue, payload) VALUES (?, ?)", this.queue, payload);
			if (payload.equals("m2")) {
				acknowledgement.retryLater(Duration.ofMinutes(5));
			}
			if (acknowledging) {
				acknowledgement.acknowledge();
			}
		}

		@EventListener
		void on(PgqueListenerContainerEvent event) {
			if (event.getKind() == Kind.FAILED && event.getFailure() != null) {
				failures.add(event.getFailure());
			}
		}

	}

}
