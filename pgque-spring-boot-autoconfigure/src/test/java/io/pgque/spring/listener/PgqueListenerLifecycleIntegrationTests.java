package io.pgque.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.listener.PgqueListenerContainerEvent.Kind;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Container lifecycle through the registry: pause (also for a duration), resume, stop,
 * start, the events published on the way, the MDC, and the at-least-once mode.
 */
class PgqueListenerLifecycleIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ListenerTestSupport support = new ListenerTestSupport(db);

	@Test
	void runWhenPausedStoppedAndStartedShouldHoldDeliveriesAndPublishEvents() {
		this.support.createQueue("life");
		this.support.contextRunner().withUserConfiguration(LifeListener.class).run((context) -> {
			LifeListener listener = context.getBean(LifeListener.class);
			PgqueListenerContainerRegistry registry = context.getBean(PgqueListenerContainerRegistry.class);
			PgqueListenerContainer container = registry.getRequiredListenerContainer("life/c");
			ListenerTestSupport.awaitLease(registry);
			await().atMost(Duration.ofSeconds(5)).until(() -> listener.kinds.contains(Kind.IDLE));

			registry.pause("life/c", Duration.ofSeconds(1));
			assertThat(container.isPaused()).isTrue();
			this.support.insert("life", "test", "during pause");
			this.support.tick("life");
			Thread.sleep(500);
			assertThat(listener.payloads).as("nothing while paused").isEmpty();
			await().atMost(Duration.ofSeconds(5)).until(() -> listener.payloads.size() == 1);
			assertThat(container.isPaused()).isFalse();
			assertThat(listener.mdc).singleElement().satisfies((mdc) -> {
				assertThat(mdc).containsEntry("pgque.queue", "life").containsEntry("pgque.consumer", "c");
				assertThat(mdc.get("pgque.eventId")).isNotBlank();
				assertThat(mdc.get("pgque.batchId")).isNotBlank();
			});

			registry.stop("life/c");
			assertThat(container.isRunning()).isFalse();
			assertThat(container.hasLease()).isFalse();
			assertThat(db.jdbc()
				.queryForObject("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted", Integer.class))
				.as("lease released on stop")
				.isZero();
			this.support.insert("life", "test", "while stopped");
			this.support.tick("life");
			Thread.sleep(300);
			assertThat(listener.payloads).hasSize(1);
			registry.start("life/c");
			await().atMost(Duration.ofSeconds(5)).until(() -> listener.payloads.size() == 2);
			assertThat(listener.kinds).containsSubsequence(Kind.STARTED, Kind.LEASE_ACQUIRED, Kind.IDLE, Kind.PAUSED,
					Kind.RESUMED, Kind.STOPPED, Kind.STARTED, Kind.LEASE_ACQUIRED);
		});
	}

	@Test
	void runWhenAtLeastOnceShouldHandleOutsideTheBatchTransactionAndAck() {
		this.support.createQueue("alo");
		this.support.contextRunner()
			.withPropertyValues("pgque.listener.transaction-mode=at-least-once")
			.withUserConfiguration(AtLeastOnceListener.class)
			.run((context) -> {
				AtLeastOnceListener listener = context.getBean(AtLeastOnceListener.class);
				ListenerTestSupport.awaitLease(context);
				this.support.insertMany("alo", "test", "a", 3);
				this.support.tick("alo");
				await().atMost(Duration.ofSeconds(5))
					.until(() -> listener.payloads.size() == 3 && this.support.isCaughtUp("alo", "c"));
				assertThat(listener.inTransaction).containsOnly(false);
				assertThat(listener.payloads).containsExactly("a1", "a2", "a3");
			});
	}

	@Test
	void runWhenQueueIsMissingShouldCreateItWithTheStarterDefaults() {
		this.support.contextRunner().withUserConfiguration(FreshQueueListener.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(db.jdbc()
				.queryForObject("SELECT queue_ticker_max_count FROM pgque.queue WHERE queue_name = 'fresh'",
						Integer.class))
				.isEqualTo(1);
			ListenerTestSupport.awaitLease(context);
			this.support.insert("fresh", "test", "hello");
			this.support.tick("fresh");
			FreshQueueListener listener = context.getBean(FreshQueueListener.class);
			await().atMost(Duration.ofSeconds(5)).until(() -> listener.payloads.contains("hello"));
		});
	}

	@Test
	void runWhenQueueIsMissingAndAutoCreationIsOffShouldFailNamingTheQueue() {
		this.support.contextRunner()
			.withPropertyValues("pgque.listener.auto-create-queues=false")
			.withUserConfiguration(AbsentQueueListener.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("queue not found: 'absent'"));
	}

	@Configuration(proxyBeanMethods = false)
	static class FreshQueueListener {

		final List<String> payloads = new CopyOnWriteArrayList<>();

		@PgqueListener(queue = "fresh", consumer = "c")
		void on(String payload) {
			this.payloads.add(payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class AbsentQueueListener {

		@PgqueListener(queue = "absent", consumer = "c")
		void on(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LifeListener {

		final List<String> payloads = new CopyOnWriteArrayList<>();

		final List<Map<String, String>> mdc = new CopyOnWriteArrayList<>();

		final List<Kind> kinds = new CopyOnWriteArrayList<>();

		@PgqueListener(queue = "life", consumer = "c")
		void on(String payload) {
			this.mdc.add(MDC.getCopyOfContextMap());
			this.payloads.add(payload);
		}

		@EventListener
		void on(PgqueListenerContainerEvent event) {
			this.kinds.add(event.getKind());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class AtLeastOnceListener {

		final List<String> payloads = new CopyOnWriteArrayList<>();

		final List<Boolean> inTransaction = new CopyOnWriteArrayList<>();

		@PgqueListener(queue = "alo", consumer = "c")
		void on(String payload) {
			this.inTransaction.add(org.springframework.transaction.support.TransactionSynchronizationManager
				.isActualTransactionActive());
			this.payloads.add(payload);
		}

	}

}
