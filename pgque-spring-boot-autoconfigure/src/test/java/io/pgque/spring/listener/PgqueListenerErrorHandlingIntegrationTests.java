package io.pgque.spring.listener;

import io.pgque.spring.core.PgqueAcknowledgement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import io.pgque.spring.core.PgqueHeader;
import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.listener.pipeline.PgqueTransactionManagerMismatchException;
import io.pgque.spring.test.PgqueTestDatabase;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Failures: exactly-once effects with savepoints and with replay, in-place retry with
 * back-off, nack, dead letters, poison messages, not-retryable exceptions, unknown types
 * and manual acknowledgement.
 */
class PgqueListenerErrorHandlingIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	static final Map<String, List<Long>> calls = new ConcurrentHashMap<>();

	private final ListenerTestSupport support = new ListenerTestSupport(db);

	@AfterEach
	void reset() {
		calls.clear();
	}

	static void called(String what) {
		calls.computeIfAbsent(what, (key) -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
	}

	static int callCount(String what) {
		return calls.getOrDefault(what, List.of()).size();
	}

	@Test
	void runWhenThirdOfFiveFailsShouldCommitTheOthersWithTheAckAndRetryTheThird() {
		exactlyOnceEffects("effects", FailingThirdListener.class, "savepoint");
		// savepoints: the handlers of messages 1 and 2 ran once
		assertThat(callCount("effects:m1")).isEqualTo(1);
		assertThat(callCount("effects:m3")).isEqualTo(2 + 1);
	}

	@Test
	void runWhenThirdOfFiveFailsInReplayModeShouldCommitTheOthersWithTheAckAndRetryTheThird() {
		exactlyOnceEffects("replayed", ReplayFailingThirdListener.class, "replay");
		// replay: every failed attempt rolled back the whole batch and ran it again
		assertThat(callCount("replayed:m1")).isEqualTo(3);
		assertThat(callCount("replayed:m3")).isEqualTo(2 + 1);
	}

	private void exactlyOnceEffects(String queue, Class<?> listener, String mode) {
		this.support.createQueue(queue);
		db.jdbc().execute("CREATE TABLE IF NOT EXISTS effects (queue text, payload text)");
		this.support.contextRunner()
			.withPropertyValues("pgque.listener.transaction-mode=" + mode, "pgque.listener.retry.max-attempts=2")
			.withUserConfiguration(listener)
			.run((context) -> {
				ListenerTestSupport.awaitLease(context);
				List<Long> ids = this.support.insertMany(queue, "test", "m", 5);
				this.support.tick(queue);
				await().atMost(Duration.ofSeconds(10))
					.until(() -> callCount(queue + ":m5") >= 1 && this.support.isCaughtUp(queue, "c"));
				assertThat(effects(queue)).containsExactly("m1", "m2", "m4", "m5");
				assertThat(retries(queue, ids.get(2))).containsExactly(1);
				this.support.moveRetriesAndTick(queue);
				await().atMost(Duration.ofSeconds(10)).until(() -> effects(queue).size() == 5);
				assertThat(effects(queue)).containsExactly("m1", "m2", "m4", "m5", "m3");
			});
	}

	private List<String> effects(String queue) {
		return db.jdbc().queryForList("SELECT payload FROM effects WHERE queue = ? ORDER BY ctid", String.class, queue);
	}

	// a manager that does not name its DataSource is caught when a batch is opened
	@Test
	void runWhenAnOpaqueTransactionManagerDoesNotManageThePgqueDataSourceShouldFailEveryBatchAndLoseNothing() {
		String queue = "opaque";
		this.support.createQueue(queue);
		PlatformTransactionManager other = new DataSourceTransactionManager(
				new DriverManagerDataSource(db.jdbcUrl(), db.user(), db.password()));
		PlatformTransactionManager opaque = new PlatformTransactionManager() {

			@Override
			public TransactionStatus getTransaction(@Nullable TransactionDefinition definition) {
				return other.getTransaction(definition);
			}

			@Override
			public void commit(TransactionStatus status) {
				other.commit(status);
			}

			@Override
			public void rollback(TransactionStatus status) {
				other.rollback(status);
			}

		};
		this.support.contextRunner()
			.withBean("opaqueTransactionManager", PlatformTransactionManager.class, () -> opaque)
			.withPropertyValues("pgque.listener.transaction-manager=opaqueTransactionManager")
			.withUserConfiguration(OpaqueListener.class, FailureEvents.class)
			.run((context) -> {
				ListenerTestSupport.awaitLease(context);
				this.support.insert(queue, "test", "kept");
				this.support.tick(queue);
				FailureEvents failures = context.getBean(FailureEvents.class);
				await().atMost(Duration.ofSeconds(10)).until(() -> !failures.messages.isEmpty());
				assertThat(failures.messages.get(0)).contains("opaque/c")
					.contains("does not manage the PgQue DataSource")
					.contains("pgque.listener.transaction-manager");
				assertThat(callCount("opaque")).isZero();
				assertThat(this.support.isCaughtUp(queue, "c")).as("batch acked").isFalse();
			});
		this.support.contextRunner().withUserConfiguration(OpaqueListener.class).run((context) -> {
			await().atMost(Duration.ofSeconds(10)).until(() -> callCount("opaque") == 1);
		});
	}

	@Test
	void runWhenTransactionManagerDoesNotManageThePgqueDataSourceShouldFailTheStartAndLoseNothing() {
		String queue = "elsewhere";
		this.support.createQueue(queue);
		this.support.subscribe(queue, "c");
		this.support.insert(queue, "test", "kept");
		this.support.tick(queue);
		this.support.contextRunner()
			.withBean("otherTransactionManager", DataSourceTransactionManager.class,
					() -> new DataSourceTransactionManager(
							new DriverManagerDataSource(db.jdbcUrl(), db.user(), db.password())))
			.withPropertyValues("pgque.listener.transaction-manager=otherTransactionManager")
			.withUserConfiguration(ElsewhereListener.class)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
					.isInstanceOf(PgqueTransactionManagerMismatchException.class)
					.hasMessageContaining("elsewhere/c")
					.hasMessageContaining(DataSourceTransactionManager.class.getName())
					.hasMessageContaining("pgque.listener.transaction-manager");
				assertThat(callCount("elsewhere")).isZero();
				assertThat(this.support.isCaughtUp(queue, "c")).as("batch acked").isFalse();
			});
		// the event is still there for a correctly configured container
		this.support.contextRunner().withUserConfiguration(ElsewhereListener.class).run((context) -> {
			await().atMost(Duration.ofSeconds(10)).until(() -> callCount("elsewhere") == 1);
		});
	}

	@Test
	void runWhenHandlerKeepsFailingShouldBackOffInPlaceThenNackThenDeadLetter() {
		String queue = "failing";
		this.support.createQueue(queue);
		db.jdbc().queryForObject("SELECT pgque.set_queue_config(?, 'max_retries', '1')", Integer.class, queue);
		this.support.contextRunner().withUserConfiguration(AlwaysFailingListener.class).run((context) -> {
			ListenerTestSupport.awaitLease(context);
			long id = this.support.insert(queue, "test", "doomed");
			this.support.tick(queue);
			await().atMost(Duration.ofSeconds(10)).until(() -> retries(queue, id).size() == 1);
			List<Long> first = List.copyOf(calls.get("failing"));
			assertThat(first).hasSize(3);
			assertThat(first.get(1) - first.get(0)).as("first back-off").isGreaterThanOrEqualTo(50_000_000L);
			assertThat(first.get(2) - first.get(1)).as("second back-off").isGreaterThanOrEqualTo(100_000_000L);
			this.support.moveRetriesAndTick(queue);
			await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters(queue).size() == 1);
			assertThat(callCount("failing")).isEqualTo(6);
			assertThat(deadLetters(queue)).singleElement().satisfies((row) -> {
				assertThat(row.get("ev_id")).isEqualTo(id);
				assertThat((String) row.get("dl_reason")).contains("IllegalStateException").contains("boom");
			});
			assertThat(retries(queue, id)).isEmpty();
		});
	}

	@Test
	void runWhenPayloadCannotBeConvertedShouldDeadLetterItAtOnceAndGoOn() {
		String queue = "poison";
		this.support.createQueue(queue);
		this.support.contextRunner().withUserConfiguration(OrderListener.class).run((context) -> {
			ListenerTestSupport.awaitLease(context);
			this.support.insert(queue, "test", "{\"id\":\"a\",\"quantity\":1}");
			long poison = this.support.insert(queue, "test", "this is not json");
			this.support.insert(queue, "test", "{\"id\":\"b\",\"quantity\":2}");
			this.support.tick(queue);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> callCount("order:b") == 1 && this.support.isCaughtUp(queue, "c"));
			assertThat(callCount("order:a")).isEqualTo(1);
			assertThat(deadLetters(queue)).singleElement().satisfies((row) -> {
				assertThat(row.get("ev_id")).isEqualTo(poison);
				assertThat((String) row.get("dl_reason")).contains("Cannot convert payload");
			});
		});
	}

	@Test
	void runWhenExceptionIsNotRetryableShouldDeadLetterAfterOneAttempt() {
		String queue = "notretryable";
		this.support.createQueue(queue);
		this.support.contextRunner()
			.withPropertyValues("pgque.listener.not-retryable-exceptions=java.lang.IllegalArgumentException")
			.withUserConfiguration(NotRetryableListener.class)
			.run((context) -> {
				ListenerTestSupport.awaitLease(context);
				long id = this.support.insert(queue, "test", "bad");
				this.support.tick(queue);
				await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters(queue).size() == 1);
				assertThat(callCount("notretryable")).isEqualTo(1);
				assertThat(retries(queue, id)).isEmpty();
				assertThat(deadLetters(queue).get(0).get("dl_reason").toString()).contains("IllegalArgumentException");
			});
	}

	@Test
	void runWhenUnknownTypePolicyIsDeadLetterShouldDeadLetterUnhandledTypes() {
		String queue = "unknown";
		this.support.createQueue(queue);
		this.support.contextRunner()
			.withPropertyValues("pgque.listener.unknown-type-policy=dead-letter")
			.withUserConfiguration(TypedListener.class)
			.run((context) -> {
				ListenerTestSupport.awaitLease(context);
				this.support.insert(queue, "known", "k");
				long mystery = this.support.insert(queue, "mystery", "?");
				this.support.tick(queue);
				await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters(queue).size() == 1);
				assertThat(callCount("known")).isEqualTo(1);
				assertThat(deadLetters(queue).get(0).get("ev_id")).isEqualTo(mystery);
				assertThat(deadLetters(queue).get(0).get("dl_reason").toString()).contains("mystery");
			});
	}

	@Test
	void runWhenHandlerAcknowledgesManuallyShouldApplyItsDecisions() {
		String queue = "manual";
		this.support.createQueue(queue);
		this.support.contextRunner().withUserConfiguration(ManualListener.class).run((context) -> {
			ListenerTestSupport.awaitLease(context);
			this.support.insert(queue, "test", "fine");
			long later = this.support.insert(queue, "test", "later");
			long dead = this.support.insert(queue, "test", "dead");
			this.support.tick(queue);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> callCount("manual") == 3 && this.support.isCaughtUp(queue, "c"));
			assertThat(retries(queue, later)).containsExactly(1);
			assertThat(deadLetters(queue)).singleElement().satisfies((row) -> {
				assertThat(row.get("ev_id")).isEqualTo(dead);
				assertThat(row.get("dl_reason")).isEqualTo("not wanted");
			});
		});
	}

	// event ids are unique per queue only
	private List<Integer> retries(String queue, long id) {
		return db.jdbc().queryForList("""
				SELECT r.ev_retry FROM pgque.retry_queue r JOIN pgque.queue q ON q.queue_id = r.ev_queue
				WHERE q.queue_name = ? AND r.ev_id = ?""", Integer.class, queue, id);
	}

	private List<Map<String, Object>> deadLetters(String queue) {
		return db.jdbc().queryForList("""
				SELECT d.ev_id, d.dl_reason FROM pgque.dead_letter d JOIN pgque.queue q ON q.queue_id = d.dl_queue_id
				WHERE q.queue_name = ? ORDER BY d.ev_id""", queue);
	}

	@Configuration(proxyBeanMethods = false)
	static class ElsewhereListener {

		@PgqueListener(queue = "elsewhere", consumer = "c")
		void on(String payload) {
			called("elsewhere");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OpaqueListener {

		@PgqueListener(queue = "opaque", consumer = "c")
		void on(String payload) {
			called("opaque");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FailureEvents {

		final List<String> messages = new CopyOnWriteArrayList<>();

		@EventListener
		void on(PgqueListenerContainerEvent event) {
			Throwable failure = event.getFailure();
			if (event.getKind() == PgqueListenerContainerEvent.Kind.FAILED && failure != null) {
				this.messages.add(String.valueOf(failure.getMessage()));
			}
		}

	}

	abstract static class EffectsListener {

		private final JdbcTemplate jdbc;

		EffectsListener(DataSource dataSource) {
			this.jdbc = new JdbcTemplate(dataSource);
		}

		void handle(String queue, String payload, int retryCount) {
			called(queue + ":" + payload);
			this.jdbc.update("INSERT INTO effects (queue, payload) VALUES (?, ?)", queue, payload);
			if (payload.equals("m3") && retryCount == 0) {
				throw new IllegalStateException("third message fails on first delivery");
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FailingThirdListener extends EffectsListener {

		FailingThirdListener(DataSource dataSource) {
			super(dataSource);
		}

		@PgqueListener(queue = "effects", consumer = "c")
		void on(String payload, @PgqueHeader(PgqueHeader.Name.RETRY_COUNT) int retryCount) {
			handle("effects", payload, retryCount);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ReplayFailingThirdListener extends EffectsListener {

		ReplayFailingThirdListener(DataSource dataSource) {
			super(dataSource);
		}

		@PgqueListener(queue = "replayed", consumer = "c")
		void on(String payload, @PgqueHeader(PgqueHeader.Name.RETRY_COUNT) int retryCount) {
			handle("replayed", payload, retryCount);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class AlwaysFailingListener {

		@PgqueListener(queue = "failing", consumer = "c", maxAttempts = "3", backOff = "50ms")
		void on(String payload) {
			called("failing");
			throw new IllegalStateException("boom");
		}

	}

	record Order(String id, int quantity) {
	}

	@Configuration(proxyBeanMethods = false)
	static class OrderListener {

		@PgqueListener(queue = "poison", consumer = "c")
		void on(Order order) {
			called("order:" + order.id());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class NotRetryableListener {

		@PgqueListener(queue = "notretryable", consumer = "c")
		void on(String payload) {
			called("notretryable");
			throw new IllegalArgumentException("cannot handle " + payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TypedListener {

		@PgqueListener(queue = "unknown", consumer = "c", types = "known")
		void on(String payload) {
			called("known");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ManualListener {

		@PgqueListener(queue = "manual", consumer = "c")
		void on(String payload, PgqueAcknowledgement acknowledgement) {
			called("manual");
			switch (payload) {
				case "later" -> acknowledgement.retryLater(Duration.ofSeconds(30));
				case "dead" -> acknowledgement.deadLetter("not wanted");
				default -> {
				}
			}
			acknowledgement.acknowledge();
		}

	}

}
