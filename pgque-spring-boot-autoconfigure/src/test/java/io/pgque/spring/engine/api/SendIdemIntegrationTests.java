package io.pgque.spring.engine.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code send_idem} and {@code maint_idem} (extended contract §C).
 */
class SendIdemIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApiSql api = new ApiSql(db.jdbc());

	private final JdbcTemplate jdbc = db.jdbc();

	@Test
	void eightSessionsSendingTheSameThousandKeysMakeExactlyOneEventPerKey() throws Exception {
		this.api.createQueue("idem-race");
		this.api.subscribe("idem-race", "reader");
		int threads = 8;
		int keys = 1000;
		CyclicBarrier start = new CyclicBarrier(threads);
		Map<String, Long> firstIds = new ConcurrentHashMap<>();
		AtomicInteger fresh = new AtomicInteger();
		AtomicInteger mismatched = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int offset = t * 125;
				done.add(pool.submit(() -> {
					try (Connection connection = db.newConnection();
							PreparedStatement send = connection.prepareStatement(
									"SELECT event_id, deduped FROM pgque.send_idem('idem-race', 'order', ?::text, ?)")) {
						start.await();
						// every thread walks all keys, each from a different start, so
						// they collide on every key
						for (int i = 0; i < keys; i++) {
							String key = "order-" + ((i + offset) % keys);
							send.setString(1, "{\"key\":\"" + key + "\"}");
							send.setString(2, key);
							try (ResultSet rs = send.executeQuery()) {
								rs.next();
								long id = rs.getLong(1);
								if (!rs.getBoolean(2)) {
									fresh.incrementAndGet();
								}
								Long first = firstIds.putIfAbsent(key, id);
								if (first != null && first != id) {
									mismatched.incrementAndGet();
								}
							}
						}
					}
					return null;
				}));
			}
			for (Future<?> future : done) {
				future.get();
			}
		}
		finally {
			pool.shutdownNow();
		}
		this.api.tick("idem-race");
		List<Received> messages = receive("idem-race");
		System.out.printf("IDEM RACE: %d threads x %d keys -> %d events, %d non-deduplicated sends%n", threads, keys,
				messages.size(), fresh.get());
		assertThat(messages).hasSize(keys);
		assertThat(messages).extracting(Received::extra2).doesNotHaveDuplicates();
		assertThat(fresh).hasValue(keys);
		assertThat(mismatched).hasValue(0);
		assertThat(messages).extracting(Received::msgId).containsExactlyInAnyOrderElementsOf(firstIds.values());
	}

	@Test
	void aDuplicateWithinTheTtlReturnsTheFirstIdAndAddsNoEvent() {
		this.api.createQueue("idem-dup");
		this.api.subscribe("idem-dup", "reader");
		Map<String, Object> first = sendIdem("idem-dup", "k1", "{\"a\":1}", "1 hour", "part-7");
		Map<String, Object> again = sendIdem("idem-dup", "k1", "{\"a\":2}", "1 hour", null);
		Map<String, Object> other = sendIdem("idem-dup", "k2", "{\"a\":3}", "1 hour", null);
		assertThat(first.get("deduped")).isEqualTo(false);
		assertThat(again).containsEntry("event_id", first.get("event_id")).containsEntry("deduped", true);
		assertThat(other.get("deduped")).isEqualTo(false);
		this.api.tick("idem-dup");
		List<Received> messages = receive("idem-dup");
		assertThat(messages).extracting(Received::msgId)
			.containsExactly((Long) first.get("event_id"), (Long) other.get("event_id"));
		// partition key in extra1, idempotency key in extra2; the duplicate's payload is
		// dropped
		assertThat(messages.get(0).extra1()).isEqualTo("part-7");
		assertThat(messages.get(0).extra2()).isEqualTo("k1");
		assertThat(messages.get(0).payload()).isEqualTo("{\"a\":1}");
	}

	@Test
	void theJsonbOverloadAndASecondSendInTheSameTransactionDeduplicate() throws Exception {
		this.api.createQueue("idem-tx");
		try (Connection connection = db.newConnection()) {
			connection.setAutoCommit(false);
			String sql = "SELECT event_id, deduped FROM pgque.send_idem('idem-tx', 't', '{\"b\": 1}'::jsonb, 'same')";
			List<Object> first = row(connection, sql);
			List<Object> second = row(connection, sql);
			connection.commit();
			assertThat(first).containsExactly(first.get(0), false);
			assertThat(second).containsExactly(first.get(0), true);
		}
	}

	private static List<Object> row(Connection connection, String sql) throws Exception {
		try (ResultSet rs = connection.createStatement().executeQuery(sql)) {
			rs.next();
			return List.of(rs.getLong(1), rs.getBoolean(2));
		}
	}

	@Test
	void afterTheTtlTheKeyIsAcceptedAgainAsANewEvent() throws Exception {
		this.api.createQueue("idem-ttl");
		Map<String, Object> first = sendIdem("idem-ttl", "k", "one", "100 milliseconds", null);
		Thread.sleep(150);
		Map<String, Object> later = sendIdem("idem-ttl", "k", "two", "100 milliseconds", null);
		assertThat(later.get("deduped")).isEqualTo(false);
		assertThat(later.get("event_id")).isNotEqualTo(first.get("event_id"));
	}

	@Test
	void maintRemovesExpiredKeysOnlyAndDropQueueRemovesTheRest() throws Exception {
		this.api.createQueue("idem-gc");
		sendIdem("idem-gc", "short", "x", "50 milliseconds", null);
		sendIdem("idem-gc", "long", "y", "1 hour", null);
		assertThat(this.jdbc.queryForObject("SELECT queue_extra_maint FROM pgque.queue WHERE queue_name = 'idem-gc'",
				String.class))
			.isEqualTo("{pgque.maint_idem}");
		Thread.sleep(100);
		this.jdbc.queryForObject("SELECT pgque.maint()", Integer.class);
		assertThat(keys("idem-gc")).containsExactly("long");
		Integer queueId = this.jdbc.queryForObject("SELECT queue_id FROM pgque.queue WHERE queue_name = 'idem-gc'",
				Integer.class);
		this.api.engine().dropQueue("idem-gc", true);
		assertThat(
				this.jdbc.queryForObject("SELECT count(*) FROM pgque.idem WHERE queue_id = ?", Integer.class, queueId))
			.isZero();
	}

	@Test
	void aNullKeyAndABadTtlAreRefused() {
		this.api.createQueue("idem-bad");
		assertThat(SqlErrors.raised(() -> sendIdem("idem-bad", null, "x", "1 hour", null)))
			.isEqualTo("idem_key must not be null");
		assertThat(SqlErrors.raised(() -> sendIdem("idem-bad", "k", "x", "0 seconds", null)))
			.isEqualTo("ttl must be a positive interval");
		assertThat(SqlErrors.raised(() -> sendIdem("idem-missing", "k", "x", "1 hour", null)))
			.isEqualTo("queue not found: idem-missing");
	}

	@Test
	void aRefusedAppendLeavesNoClaim() {
		this.api.createQueue("idem-off");
		setDisableInsert("idem-off", true);
		assertThat(SqlErrors.raised(() -> sendIdem("idem-off", "k", "x", "1 hour", null)))
			.isEqualTo("Insert into queue disallowed");
		assertThat(keys("idem-off")).isEmpty();
		setDisableInsert("idem-off", false);
		assertThat(sendIdem("idem-off", "k", "x", "1 hour", null)).containsEntry("deduped", false);
	}

	@Test
	void theWriterSendsButNoRoleReadsTheKeys() throws Exception {
		this.api.createQueue("idem-roles");
		try (Connection connection = db.newConnection()) {
			connection.createStatement().execute("SET ROLE pgque_writer");
			try (ResultSet rs = connection.createStatement()
				.executeQuery("SELECT deduped FROM pgque.send_idem('idem-roles', 't', 'p', 'k')")) {
				assertThat(rs.next()).isTrue();
				assertThat(rs.getBoolean(1)).isFalse();
			}
			// the overload that stores extra4 (the starter's trace context)
			try (ResultSet rs = connection.createStatement()
				.executeQuery("SELECT deduped FROM pgque.send_idem('idem-roles', 't', 'p', 'k2', interval '1 hour',"
						+ " NULL, 'x4')")) {
				assertThat(rs.next()).isTrue();
				assertThat(rs.getBoolean(1)).isFalse();
			}
			SqlErrors.denied(() -> connection.createStatement().executeQuery("SELECT * FROM pgque.idem"));
			connection.createStatement().execute("SET ROLE pgque_reader");
			SqlErrors.denied(() -> connection.createStatement().executeQuery("SELECT * FROM pgque.idem"));
			connection.createStatement().execute("SET ROLE pgque_admin");
			SqlErrors.denied(() -> connection.createStatement().executeQuery("SELECT * FROM pgque.idem"));
		}
	}

	private Map<String, Object> sendIdem(String queue, String key, String payload, String ttl, String partition) {
		return this.jdbc.queryForMap(
				"SELECT event_id, deduped FROM pgque.send_idem(?, 't', ?::text, ?, ?::interval, ?)", queue, payload,
				key, ttl, partition);
	}

	private List<Received> receive(String queue) {
		return this.jdbc.query("SELECT msg_id, payload, extra1, extra2 FROM pgque.receive(?, 'reader', 100000)",
				(rs, row) -> new Received(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)), queue);
	}

	private void setDisableInsert(String queue, boolean disabled) {
		this.jdbc.update("UPDATE pgque.queue SET queue_disable_insert = ? WHERE queue_name = ?", disabled, queue);
	}

	private List<String> keys(String queue) {
		return this.jdbc.queryForList("SELECT i.idem_key FROM pgque.idem i JOIN pgque.queue q USING (queue_id)"
				+ " WHERE q.queue_name = ? ORDER BY 1", String.class, queue);
	}

	record Received(long msgId, String payload, String extra1, String extra2) {

	}

}
