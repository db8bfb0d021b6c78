package io.pgque.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A container whose login has only {@code pgque_reader}, the least a consumer needs. That
 * role may nack but not call {@code event_dead}: a message to dead-letter at once (here a
 * payload that does not convert) is nacked instead, and the engine dead-letters it once
 * its retries are used up. The queue never stalls on it.
 */
class PgqueListenerReaderRoleIntegrationTests {

	private static final String READER = "pgque_t_listener_"
			+ Long.toString(System.nanoTime(), 36).toLowerCase(Locale.ROOT);

	private static final String PASSWORD = "reader-secret";

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	static final List<String> handled = new CopyOnWriteArrayList<>();

	private final ListenerTestSupport support = new ListenerTestSupport(db);

	@BeforeAll
	static void createLogin() {
		db.jdbc().execute("CREATE ROLE " + READER + " LOGIN PASSWORD '" + PASSWORD + "' IN ROLE pgque_reader");
	}

	@AfterAll
	static void dropLogin() {
		db.jdbc().execute("DROP OWNED BY " + READER);
		db.jdbc().execute("DROP ROLE IF EXISTS " + READER);
	}

	@AfterEach
	void clearHandled() {
		handled.clear();
	}

	@Test
	void runAsReaderWhenAPayloadCannotBeConvertedShouldGoOnAndDeadLetterItAfterItsRetries() {
		this.support.createQueue("guarded");
		this.support.subscribe("guarded", "c");
		db.jdbc().queryForObject("SELECT pgque.set_queue_config('guarded', 'max_retries', '1')", Integer.class);
		try (HikariDataSource reader = readerPool()) {
			this.support.contextRunner((DataSource) reader)
				.withPropertyValues("pgque.ticker.mode=none")
				.withUserConfiguration(OrderListener.class)
				.run((context) -> {
					ListenerTestSupport.awaitLease(context);
					this.support.insert("guarded", "test", "{\"id\":\"a\",\"quantity\":1}");
					long poison = this.support.insert("guarded", "test", "this is not json");
					this.support.insert("guarded", "test", "{\"id\":\"b\",\"quantity\":2}");
					this.support.tick("guarded");
					await().atMost(Duration.ofSeconds(10)).until(() -> this.support.isCaughtUp("guarded", "c"));
					assertThat(handled).containsExactly("a", "b");
					// second delivery: retries used up, so the engine's nack dead-letters
					// it
					this.support.moveRetriesAndTick("guarded");
					await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters("guarded") == 1);
					assertThat(deadLetterColumn("guarded", "ev_id", Long.class)).isEqualTo(poison);
					assertThat(deadLetterColumn("guarded", "dl_reason", String.class))
						.contains("Cannot convert payload");
				});
		}
	}

	@Test
	void runAsReaderWhenKeyedShouldSubscribeClaimAndDeadLetterThroughTheSlotFunctions() {
		this.support.createQueue("guarded_keyed");
		db.jdbc().queryForObject("SELECT pgque.set_queue_config('guarded_keyed', 'max_retries', '1')", Integer.class);
		try (HikariDataSource reader = readerPool()) {
			this.support.contextRunner((DataSource) reader)
				.withPropertyValues("pgque.ticker.mode=none", "pgque.listener.dead-interval=2s")
				.withUserConfiguration(KeyedOrderListener.class)
				.run((context) -> {
					await().atMost(Duration.ofSeconds(10))
						.until(() -> context.getBean(PgqueListenerContainerRegistry.class)
							.getListenerContainers()
							.stream()
							.allMatch(PgqueListenerContainer::hasLease));
					for (String id : List.of("k1", "k2", "k3")) {
						db.jdbc()
							.queryForObject("SELECT pgque.send('guarded_keyed', 'test', ?::text, ?)", Long.class,
									"{\"id\":\"" + id + "\",\"quantity\":1}", id);
					}
					long poison = db.jdbc()
						.queryForObject("SELECT pgque.send('guarded_keyed', 'test', 'not json'::text, 'k1')",
								Long.class);
					this.support.tick("guarded_keyed");
					await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 3);
					assertThat(handled).containsExactlyInAnyOrder("k1", "k2", "k3");
					// a reader may not dead-letter: nacked through nack_partitioned, and
					// dead-lettered by the engine once its retries are used up
					this.support.moveRetriesAndTick("guarded_keyed");
					await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters("guarded_keyed") == 1);
					assertThat(deadLetterColumn("guarded_keyed", "ev_id", Long.class)).isEqualTo(poison);
				});
		}
	}

	private static HikariDataSource readerPool() {
		HikariDataSource reader = new HikariDataSource();
		reader.setJdbcUrl(db.jdbcUrl());
		reader.setUsername(READER);
		reader.setPassword(PASSWORD);
		return reader;
	}

	private static int deadLetters(String queue) {
		return db.jdbc()
			.queryForObject("SELECT count(*) FROM pgque.dead_letter d JOIN pgque.queue q"
					+ " ON q.queue_id = d.dl_queue_id WHERE q.queue_name = ?", Integer.class, queue);
	}

	private static <T> T deadLetterColumn(String queue, String column, Class<T> type) {
		return db.jdbc()
			.queryForObject("SELECT d." + column + " FROM pgque.dead_letter d JOIN pgque.queue q"
					+ " ON q.queue_id = d.dl_queue_id WHERE q.queue_name = ?", type, queue);
	}

	@Configuration(proxyBeanMethods = false)
	static class OrderListener {

		@PgqueListener(queue = "guarded", consumer = "c")
		void on(Order order) {
			handled.add(order.id());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class KeyedOrderListener {

		@PgqueListener(queue = "guarded_keyed", consumer = "c", ordering = "KEY", concurrency = "2", keySlots = "4")
		void on(Order order) {
			handled.add(order.id());
		}

	}

	record Order(String id, int quantity) {
	}

}
