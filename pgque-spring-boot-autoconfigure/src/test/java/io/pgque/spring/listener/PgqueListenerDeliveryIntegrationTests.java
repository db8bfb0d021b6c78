package io.pgque.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.pgque.spring.core.PgqueHeader;
import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Delivery through {@code @PgqueListener}: NOTIFY wake-up, argument binding, type
 * dispatch, unknown types and batch listeners.
 */
class PgqueListenerDeliveryIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ListenerTestSupport support = new ListenerTestSupport(db);

	@Test
	void runWhenTickLandsShouldDeliverWithoutWaitingForThePoll() {
		this.support.createQueue("wake");
		this.support.contextRunner().withUserConfiguration(WakeListener.class).run((context) -> {
			WakeListener listener = context.getBean(WakeListener.class);
			PgqueListenerContainer container = context.getBean(PgqueListenerContainerRegistry.class)
				.getRequiredListenerContainer("wake/c1");
			assertThat(container.getOptions().pollInterval()).isEqualTo(Duration.ofMinutes(10));
			await().atMost(Duration.ofSeconds(10)).until(container::hasLease);
			Thread.sleep(300); // the container's first look found nothing; it now waits
			List<Long> ids = this.support.insertMany("wake", "test", "p", 5);
			long sent = System.nanoTime();
			this.support.tick("wake");
			await().atMost(Duration.ofSeconds(5)).until(() -> listener.received.size() == 5);
			long millis = (System.nanoTime() - sent) / 1_000_000;
			assertThat(millis).as("delivery after the tick, with a 10 minute fallback poll").isLessThan(3000);
			assertThat(listener.received).extracting((m) -> m.id()).containsExactlyElementsOf(ids);
			assertThat(listener.payloads).containsExactly("p1", "p2", "p3", "p4", "p5");
			assertThat(listener.received).allSatisfy((m) -> assertThat(m.batchId()).isPositive());
		});
	}

	@Test
	void runWhenTheNotificationConnectionIsTerminatedShouldListenAgainAndStillDeliverWithoutThePoll() {
		this.support.createQueue("rewake");
		this.support.contextRunner().withUserConfiguration(RewakeListener.class).run((context) -> {
			RewakeListener listener = context.getBean(RewakeListener.class);
			ListenerTestSupport.awaitLease(context);
			int before = notificationSession();
			assertThat(db.jdbc().queryForObject("SELECT pg_terminate_backend(?)", Boolean.class, before)).isTrue();
			// a new session LISTENs again (the listener reconnects after a second)
			await().atMost(Duration.ofSeconds(10))
				.until(() -> notificationSessions().stream().anyMatch((pid) -> pid != before));
			long sent = System.nanoTime();
			this.support.insertMany("rewake", "test", "r", 3);
			this.support.tick("rewake");
			await().atMost(Duration.ofSeconds(5)).until(() -> listener.payloads.size() == 3);
			long millis = (System.nanoTime() - sent) / 1_000_000;
			assertThat(millis).as("delivery after the tick, with a 10 minute fallback poll").isLessThan(3000);
			assertThat(listener.payloads).containsExactly("r1", "r2", "r3");
		});
	}

	private static int notificationSession() {
		await().atMost(Duration.ofSeconds(10)).until(() -> notificationSessions().size() == 1);
		return notificationSessions().get(0);
	}

	// Pooled connections keep the application_name of their last user, so the session is
	// found by what it last ran: a session waiting for notifications shows its LISTEN
	// (pg_listening_channels() would only show the caller's own channels).
	private static List<Integer> notificationSessions() {
		return db.jdbc().queryForList("""
				SELECT pid FROM pg_stat_activity WHERE datname = current_database()
				AND application_name = 'pgque-notifications' AND query LIKE '%pgque\\_rewake%'""", Integer.class);
	}

	@Test
	void runWhenTwoMethodsBindOneConsumerShouldDispatchByTypeInIdOrder() {
		this.support.createQueue("types");
		this.support.contextRunner().withUserConfiguration(TypeListeners.class).run((context) -> {
			TypeListeners listeners = context.getBean(TypeListeners.class);
			assertThat(context.getBean(PgqueListenerContainerRegistry.class).getListenerContainers()).hasSize(1);
			ListenerTestSupport.awaitLease(context);
			this.support.insert("types", "created", "c1");
			this.support.insert("types", "deleted", "d1");
			this.support.insert("types", "created", "c2");
			this.support.insert("types", "other", "o1");
			this.support.tick("types");
			await().atMost(Duration.ofSeconds(5)).until(() -> listeners.log.size() == 3);
			assertThat(listeners.log).containsExactly("created:c1", "deleted:d1", "created:c2");
			await().atMost(Duration.ofSeconds(5)).until(() -> this.support.isCaughtUp("types", "c1"));
			// the unknown type was acknowledged with the batch: not nacked, not
			// dead-lettered
			assertThat(db.jdbc()
				.queryForObject("SELECT count(*) FROM pgque.retry_queue r JOIN pgque.queue q ON q.queue_id = r.ev_queue"
						+ " WHERE q.queue_name = 'types'", Integer.class))
				.isZero();
			assertThat(db.jdbc()
				.queryForObject(
						"SELECT count(*) FROM pgque.dead_letter d JOIN pgque.queue q ON q.queue_id = d.dl_queue_id"
								+ " WHERE q.queue_name = 'types'",
						Integer.class))
				.isZero();
		});
	}

	@Test
	void runWhenMethodTakesListShouldReceiveBatchSlices() {
		this.support.createQueue("batch");
		this.support.contextRunner().withUserConfiguration(BatchListener.class).run((context) -> {
			BatchListener listener = context.getBean(BatchListener.class);
			ListenerTestSupport.awaitLease(context);
			this.support.insertMany("batch", "test", "b", 7);
			this.support.tick("batch");
			await().atMost(Duration.ofSeconds(5))
				.until(() -> listener.sizes.stream().mapToInt(Integer::intValue).sum() == 7);
			assertThat(listener.sizes).containsExactly(3, 3, 1);
			assertThat(listener.payloads).containsExactly("b1", "b2", "b3", "b4", "b5", "b6", "b7");
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class WakeListener {

		final List<PgqueMessage> received = new CopyOnWriteArrayList<>();

		final List<String> payloads = new CopyOnWriteArrayList<>();

		@PgqueListener(queue = "wake", consumer = "c1")
		void on(String payload, PgqueMessage message, @PgqueHeader(PgqueHeader.Name.ID) long id) {
			assertThat(id).isEqualTo(message.id());
			this.payloads.add(payload);
			this.received.add(message);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RewakeListener {

		final List<String> payloads = new CopyOnWriteArrayList<>();

		@PgqueListener(queue = "rewake", consumer = "c1")
		void on(String payload) {
			this.payloads.add(payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TypeListeners {

		final List<String> log = new CopyOnWriteArrayList<>();

		@PgqueListener(queue = "types", consumer = "c1", types = "created")
		void created(String payload, @PgqueHeader(PgqueHeader.Name.TYPE) String type) {
			this.log.add(type + ":" + payload);
		}

		@PgqueListener(queue = "types", consumer = "c1", types = "deleted")
		void deleted(String payload) {
			this.log.add("deleted:" + payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BatchListener {

		final List<Integer> sizes = new CopyOnWriteArrayList<>();

		final List<String> payloads = new CopyOnWriteArrayList<>();

		@PgqueListener(queue = "batch", consumer = "c1", maxBatchSize = "3")
		void on(List<String> batch, @PgqueHeader(PgqueHeader.Name.BATCH_ID) long batchId) {
			this.sizes.add(batch.size());
			this.payloads.addAll(batch);
		}

	}

}
