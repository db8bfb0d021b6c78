package io.pgque.spring.engine.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.autoconfigure.PgqueAutoConfiguration;
import io.pgque.spring.autoconfigure.PgqueListenerAutoConfiguration;
import io.pgque.spring.autoconfigure.PgqueTickerAutoConfiguration;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.engine.api.ApiSql.Message;
import io.pgque.spring.test.PgqueTestDatabase;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An upstream-shaped PgQue install made from plain SQL (test resources under
 * {@code io/pgque/spring/engine/adoption}, written from the contract), and the scenario
 * of adopting it: a consumer of the old install holds its open batch while the starter
 * starts in install mode, finishes it, and the starter's listeners consume the rest.
 */
final class UpstreamInstall {

	private static final String FIXTURES = "io/pgque/spring/engine/adoption/";

	private UpstreamInstall() {
	}

	/**
	 * Apply fixture files as psql would: statement by statement, each in its own
	 * transaction. Statements end with {@code ;} at the end of a line outside {@code $$}
	 * quotes, which is all the fixtures use.
	 * @param db the database
	 * @param files the fixture file names, in order
	 */
	static void apply(PgqueTestDatabase db, String... files) throws SQLException {
		try (Connection connection = db.newConnection(); Statement statement = connection.createStatement()) {
			for (String file : files) {
				for (String sql : statements(read(FIXTURES + file))) {
					statement.execute(sql);
				}
			}
		}
	}

	static List<String> statements(String script) {
		List<String> statements = new ArrayList<>();
		StringBuilder current = new StringBuilder();
		boolean quoted = false;
		for (String line : script.split("\n")) {
			if (current.isEmpty() && (line.isBlank() || line.startsWith("--"))) {
				continue;
			}
			current.append(line).append('\n');
			int dollars = line.split("\\$\\$", -1).length - 1;
			quoted ^= (dollars % 2 == 1);
			if (!quoted && line.stripTrailing().endsWith(";")) {
				statements.add(current.toString());
				current.setLength(0);
			}
		}
		return statements;
	}

	private static String read(String location) {
		try (InputStream in = UpstreamInstall.class.getClassLoader().getResourceAsStream(location)) {
			assertThat(in).as(location).isNotNull();
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * What the fixture left behind that adoption must keep: row counts per table.
	 * @param db the database
	 * @return table name to rows
	 */
	static Map<String, Object> inventory(PgqueTestDatabase db) {
		return db.jdbc()
			.queryForMap("SELECT (SELECT count(*) FROM pgque.queue) AS queues,"
					+ " (SELECT count(*) FROM pgque.consumer) AS consumers,"
					+ " (SELECT string_agg(c.co_name || ':' || s.sub_id || ':' || s.sub_last_tick || ':'"
					+ " || coalesce(s.sub_batch::text, '-'), ',' ORDER BY c.co_name) FROM pgque.subscription s"
					+ " JOIN pgque.consumer c ON c.co_id = s.sub_consumer) AS cursors,"
					+ " (SELECT string_agg(ev_id::text, ',' ORDER BY ev_id) FROM pgque.retry_queue) AS retries,"
					+ " (SELECT string_agg(ev_data, ',' ORDER BY dl_id) FROM pgque.dead_letter) AS dead_letters,"
					+ " (SELECT count(*) FROM pgque.event_1) AS events");
	}

	/**
	 * The adoption scenario. The consumer {@code billing} of the old install receives its
	 * open batch in a transaction of its own; meanwhile the starter starts in install
	 * mode with listeners for {@code billing} and {@code audit}; two seconds later the
	 * old consumer acks and commits. Then every event must reach each listener exactly
	 * once: billing order-6..8 and its due retry, audit order-1..8.
	 * @param db the database holding the upstream install and its work in flight
	 */
	static void adoptWhileAConsumerHoldsItsBatch(PgqueTestDatabase db) throws Exception {
		Map<String, Object> before = inventory(db);
		try (Connection oldConsumer = db.newConnection()) {
			oldConsumer.setAutoCommit(false);
			List<Message> openBatch = ApiSql.receive(oldConsumer, "orders", "billing");
			assertThat(openBatch).extracting(Message::payload)
				.containsExactly("order-1", "order-2", "order-3", "order-4", "order-5");
			CompletableFuture<Integer> finished = CompletableFuture.supplyAsync(() -> {
				try {
					TimeUnit.SECONDS.sleep(2);
					int acked = ApiSql.ack(oldConsumer, openBatch.get(0).batchId());
					oldConsumer.commit();
					return acked;
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
			starter(db).withUserConfiguration(Listeners.class).run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(finished.get(30, TimeUnit.SECONDS)).as("the open batch finishes").isEqualTo(1);
				Listeners listeners = context.getBean(Listeners.class);
				await().atMost(Duration.ofSeconds(30))
					.until(() -> listeners.received("billing").size() >= 4 && listeners.received("audit").size() >= 8);
				Thread.sleep(1500); // time for a duplicate to show up, if there were one
				assertThat(listeners.received("billing")).containsExactlyInAnyOrder("order-6", "order-7", "order-8",
						"order-0-retried");
				assertThat(listeners.received("audit")).containsExactlyInAnyOrder("order-1", "order-2", "order-3",
						"order-4", "order-5", "order-6", "order-7", "order-8");
			});
		}
		Map<String, Object> after = inventory(db);
		assertThat(after.get("queues")).isEqualTo(before.get("queues"));
		assertThat(after.get("consumers")).isEqualTo(before.get("consumers"));
		assertThat(after.get("dead_letters")).isEqualTo(before.get("dead_letters")).isEqualTo("dead-1,dead-2");
		assertThat(before.get("retries")).isEqualTo("900,901");
		assertThat(after.get("retries")).as("the retry not due yet stays").isEqualTo("901");
		assertThat((Long) after.get("events")).as("the due retry moved back into the queue")
			.isEqualTo((Long) before.get("events") + 1);
		assertThat(db.jdbc().queryForObject("SELECT pgque.version()", String.class)).isEqualTo("0.2.0");
	}

	static ApplicationContextRunner starter(PgqueTestDatabase db) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, DataSourceAutoConfiguration.class,
					PgqueAutoConfiguration.class, PgqueTickerAutoConfiguration.class,
					PgqueListenerAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + db.jdbcUrl(), "spring.datasource.username=" + db.user(),
					"spring.datasource.password=" + db.password(), "pgque.schema.mode=install",
					"pgque.listener.poll-interval=200ms", "pgque.listener.lease-retry-interval=200ms");
	}

	@Configuration(proxyBeanMethods = false)
	static class Listeners {

		private final Map<String, List<String>> received = new ConcurrentHashMap<>();

		@PgqueListener(queue = "orders", consumer = "billing")
		void billing(PgqueMessage message) {
			record("billing", message);
		}

		@PgqueListener(queue = "orders", consumer = "audit")
		void audit(PgqueMessage message) {
			record("audit", message);
		}

		private void record(String consumer, PgqueMessage message) {
			this.received.computeIfAbsent(consumer, (key) -> java.util.Collections.synchronizedList(new ArrayList<>()))
				.add(message.payload());
		}

		List<String> received(String consumer) {
			return List.copyOf(this.received.getOrDefault(consumer, List.of()));
		}

	}

}
