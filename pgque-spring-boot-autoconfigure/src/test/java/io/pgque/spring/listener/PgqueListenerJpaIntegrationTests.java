package io.pgque.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.pgque.spring.core.PgqueHeader;
import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.test.PgqueTestDatabase;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Id;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.Table;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.persistenceunit.PersistenceManagedTypes;
import org.springframework.transaction.PlatformTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The transaction modes under a {@link JpaTransactionManager} (Boot's Hibernate
 * auto-configuration on the PgQue DataSource): a handler persists an entity through the
 * {@link EntityManager} and fails on the first delivery of the 3rd of 5 messages. The
 * entity's id is assigned by the application, so {@code persist} only queues the insert
 * in the persistence context until the flush at commit: exactly where a savepoint cannot
 * reach.
 */
class PgqueListenerJpaIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	static final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

	private final ListenerTestSupport support = new ListenerTestSupport(db);

	@BeforeAll
	static void createTable() {
		db.jdbc().execute("""
				CREATE TABLE jpa_effect (id uuid PRIMARY KEY, seq bigserial, queue text NOT NULL,
				payload text NOT NULL)""");
	}

	@AfterEach
	void reset() {
		calls.clear();
	}

	@Test
	void runWhenThirdOfFiveFailsInReplayModeShouldCommitTheOthersWithTheAckAndTheThirdOnceWhenRetried() {
		exactlyOnceEntities("jpareplay", "replay");
		// every failed attempt (2 in place) rolled back the whole batch and ran it again
		assertThat(callCount("jpareplay:m1")).isEqualTo(3);
		assertThat(callCount("jpareplay:m3")).isEqualTo(2 + 1);
	}

	@Test
	void runWhenTransactionModeIsAutoShouldReplayUnderTheJpaTransactionManager() {
		exactlyOnceEntities("jpaauto", "auto");
		// m1's handler ran once per run of the batch: the batch was replayed, not
		// savepointed
		assertThat(callCount("jpaauto:m1")).isEqualTo(3);
	}

	private void exactlyOnceEntities(String queue, String mode) {
		this.support.createQueue(queue);
		jpaContextRunner(queue).withPropertyValues("pgque.listener.transaction-mode=" + mode).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean("transactionManager", PlatformTransactionManager.class))
				.isInstanceOf(JpaTransactionManager.class);
			ListenerTestSupport.awaitLease(context);
			this.support.insertMany(queue, "test", "m", 5);
			this.support.tick(queue);
			// the retry of m3 commits with the ack and the other entities
			await().atMost(Duration.ofSeconds(10)).until(() -> !retries(queue).isEmpty());
			assertThat(retries(queue)).containsExactly("m3:1");
			// the failing attempts' entities were left in their rolled-back persistence
			// contexts
			assertThat(entities(queue)).containsExactly("m1", "m2", "m4", "m5");
			this.support.moveRetriesAndTick(queue);
			await().atMost(Duration.ofSeconds(10)).until(() -> entities(queue).size() >= 5);
			assertThat(entities(queue)).containsExactly("m1", "m2", "m4", "m5", "m3");
			assertThat(retries(queue)).isEmpty();
		});
	}

	@Test
	void runWhenTransactionModeIsSavepointShouldFailAtStartUpNamingTheListenerAndTheProperty() {
		String queue = "jpasavepoint";
		this.support.createQueue(queue);
		jpaContextRunner(queue).withPropertyValues("pgque.listener.transaction-mode=savepoint").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
				.isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("EntityListener.on")
				.hasMessageContaining(queue + "/c")
				.hasMessageContaining("JpaTransactionManager")
				.hasMessageContaining("pgque.listener.transaction-mode");
		});
	}

	private ApplicationContextRunner jpaContextRunner(String queue) {
		return this.support.contextRunner()
			.withConfiguration(AutoConfigurations.of(HibernateJpaAutoConfiguration.class))
			.withBean(PersistenceManagedTypes.class, () -> PersistenceManagedTypes.of(JpaEffect.class.getName()))
			.withPropertyValues("test.queue=" + queue, "pgque.listener.transaction-manager=transactionManager",
					"pgque.listener.retry.max-attempts=2", "spring.jpa.hibernate.ddl-auto=none")
			.withUserConfiguration(EntityListener.class);
	}

	private List<String> entities(String queue) {
		return db.jdbc()
			.queryForList("SELECT payload FROM jpa_effect WHERE queue = ? ORDER BY seq", String.class, queue);
	}

	private List<String> retries(String queue) {
		return db.jdbc().queryForList("""
				SELECT r.ev_data || ':' || r.ev_retry FROM pgque.retry_queue r
				JOIN pgque.queue q ON q.queue_id = r.ev_queue WHERE q.queue_name = ?""", String.class, queue);
	}

	static int callCount(String what) {
		AtomicInteger count = calls.get(what);
		return (count != null) ? count.get() : 0;
	}

	@Configuration(proxyBeanMethods = false)
	static class EntityListener {

		@PersistenceContext
		private @Nullable EntityManager entityManager;

		private final String queue;

		EntityListener(@Value("${test.queue}") String queue) {
			this.queue = queue;
		}

		@PgqueListener(queue = "${test.queue}", consumer = "c")
		void on(String payload, @PgqueHeader(PgqueHeader.Name.RETRY_COUNT) int retryCount) {
			calls.computeIfAbsent(this.queue + ":" + payload, (key) -> new AtomicInteger()).incrementAndGet();
			this.entityManager.persist(new JpaEffect(UUID.randomUUID(), this.queue, payload));
			if (payload.equals("m3") && retryCount == 0) {
				throw new IllegalStateException("third message fails on first delivery");
			}
		}

	}

	@Entity
	@Table(name = "jpa_effect")
	static class JpaEffect {

		@Id
		private @Nullable UUID id;

		private @Nullable String queue;

		private @Nullable String payload;

		protected JpaEffect() {
		}

		JpaEffect(UUID id, String queue, String payload) {
			this.id = id;
			this.queue = queue;
			this.payload = payload;
		}

	}

}
