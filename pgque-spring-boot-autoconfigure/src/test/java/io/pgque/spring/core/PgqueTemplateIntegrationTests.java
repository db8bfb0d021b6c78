package io.pgque.spring.core;

import io.pgque.spring.convert.PgqueConversionException;
import io.pgque.spring.PgqueException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import io.pgque.spring.convert.PgqueJsonPayloadConverter;
import io.pgque.spring.convert.PgqueTypeMapper;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Sending and receiving through a real engine. Each test works on queues of its own.
 */
class PgqueTemplateIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private static final AtomicInteger queues = new AtomicInteger();

	private final JsonMapper jsonMapper = JsonMapper.builder().build();

	private final PgqueTemplate template = new PgqueTemplate(db.dataSource(),
			new PgqueJsonPayloadConverter(this.jsonMapper, PgqueTypeMapper.simpleNames()));

	@Test
	void recordsMapsStringsAndNestedJsonRoundTrip() {
		String queue = newQueue();
		Order order = new Order("o-1", 3, List.of(new Line("sku-1", 2)));
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("customer", "c-9");
		map.put("tags", List.of("a", "b"));
		map.put("address", Map.of("city", "Kraków", "zip", "30-001"));
		JsonNode tree = this.jsonMapper.readTree("{\"a\":{\"b\":{\"c\":[1,2,{\"d\":null}]}}}");
		this.template.send(queue, order);
		this.template.send(queue, map);
		this.template.send(queue, "plain text, not JSON: {");
		this.template.send(queue, "tree", tree);

		List<PgqueMessage> messages = deliver(queue).messages();

		assertThat(messages).extracting(PgqueMessage::type).containsExactly("Order", "default", "default", "tree");
		assertThat(this.template.convert(messages.get(0), Order.class)).isEqualTo(order);
		assertThat(this.template.convert(messages.get(1), Map.class)).isEqualTo(map);
		assertThat(messages.get(2).payload()).isEqualTo("plain text, not JSON: {");
		assertThat(this.template.convert(messages.get(3), JsonNode.class)).isEqualTo(tree);
		assertThat(messages).allSatisfy((message) -> {
			assertThat(message.retryCount()).isNull();
			assertThat(message.createdAt()).isNotNull();
		});
	}

	@Test
	void unicodeAndOneMegabytePayloadsArriveUnchanged() {
		String queue = newQueue();
		String unicode = "zażółć gęślą jaźń · Ελληνικά · العربية · 日本語 · e\u0301 · 👩‍👩‍👧 · \uD834\uDD1E";
		// half a million characters, about 0.9 MB of UTF-8: under the engine's default
		// payload limit (1 MiB, pgque.limits.max-payload-size) even as JSON
		StringBuilder large = new StringBuilder(1 << 19);
		while (large.length() < (1 << 19)) {
			large.append(unicode).append(large.length()).append('\n');
		}
		String megabyte = large.toString();
		Order bigOrder = new Order(megabyte, 1, List.of());
		this.template.send(queue, unicode);
		this.template.send(queue, megabyte);
		this.template.send(queue, bigOrder);

		List<PgqueMessage> messages = deliver(queue).messages();

		assertThat(messages.get(0).payload()).isEqualTo(unicode);
		assertThat(messages.get(1).payload()).hasSize(megabyte.length()).isEqualTo(megabyte);
		assertThat(this.template.convert(messages.get(2), Order.class)).isEqualTo(bigOrder);
	}

	@Test
	void sendInsideRolledBackTransactionLeavesNoEvent() {
		String queue = newQueue();
		db.jdbc().execute("CREATE TABLE IF NOT EXISTS app_orders (id text PRIMARY KEY)");
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
		transaction.executeWithoutResult((status) -> {
			db.jdbc().update("INSERT INTO app_orders VALUES ('rolled-back')");
			this.template.send(queue, new Order("rolled-back", 1, List.of()));
			status.setRollbackOnly();
		});

		assertThat(this.template.forceTick(queue)).isNotNull();
		assertThat(this.template.receive(queue, "c", 100)).isEmpty();
		assertThat(db.jdbc().queryForObject("SELECT count(*) FROM app_orders WHERE id = 'rolled-back'", Integer.class))
			.isZero();
	}

	@Test
	void sendInsideCommittedTransactionLeavesExactlyOneEvent() {
		String queue = newQueue();
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
		Long id = transaction.execute((status) -> this.template.send(queue, new Order("committed", 1, List.of())));

		PgqueBatch batch = deliver(queue);

		assertThat(batch.messages()).singleElement().satisfies((message) -> assertThat(message.id()).isEqualTo(id));
		assertThat(this.template.ack(batch.id())).isTrue();
		this.template.forceTick(queue);
		assertThat(this.template.receive(queue, "c", 100)).isEmpty();
	}

	@Test
	void sendBatchPreservesOrderAndAlignsIds() {
		String queue = newQueue();
		List<String> payloads = IntStream.range(0, 1000).mapToObj((i) -> "event-" + i).toList();
		List<Long> ids = this.template.sendBatch(queue, "numbered", payloads);

		List<PgqueMessage> messages = deliver(queue).messages();

		assertThat(ids).hasSize(1000).isSorted().doesNotHaveDuplicates();
		assertThat(messages).extracting(PgqueMessage::id).containsExactlyElementsOf(ids);
		assertThat(messages).extracting(PgqueMessage::payload).containsExactlyElementsOf(payloads);
		assertThat(messages).extracting(PgqueMessage::type).containsOnly("numbered");
	}

	@Test
	void sendBatchOfJsonObjectsOfOneTypeStoresWhatSendStores() {
		// sent as one array: quotes, backslashes, braces, commas, non-ASCII and an empty
		// list inside the elements must arrive as each element's own JSON
		String queue = newQueue();
		List<Order> orders = List.of(new Order("quote \" and \\ backslash", 1, List.of()),
				new Order("{braces}, commas, and \"quoted\" words", 2, List.of(new Line("ü-€-𝄞", 3))),
				new Order("NULL", 0, List.of()));
		List<Long> ids = this.template.sendBatch(queue, orders);
		orders.forEach((order) -> this.template.send(queue, order));

		List<PgqueMessage> messages = deliver(queue).messages();

		assertThat(messages).hasSize(6);
		assertThat(messages).extracting(PgqueMessage::id).startsWith(ids.toArray(Long[]::new));
		for (int i = 0; i < orders.size(); i++) {
			assertThat(messages.get(i).payload()).isEqualTo(messages.get(i + orders.size()).payload());
			assertThat(this.template.convert(messages.get(i), Order.class)).isEqualTo(orders.get(i));
		}
	}

	@Test
	void sendBatchOfObjectsOfSeveralTypesKeepsEachTypeAndTheOrder() {
		String queue = newQueue();
		List<Object> payloads = List.of(new Order("o-1", 1, List.of()), new Line("sku", 2), Map.of("k", "v"),
				new Order("o-2", 2, List.of()));
		List<Long> ids = this.template.sendBatch(queue, payloads);

		List<PgqueMessage> messages = deliver(queue).messages();

		assertThat(messages).extracting(PgqueMessage::id).containsExactlyElementsOf(ids);
		assertThat(messages).extracting(PgqueMessage::type).containsExactly("Order", "Line", "default", "Order");
		assertThat(this.template.convert(messages.get(1), Line.class)).isEqualTo(new Line("sku", 2));
		assertThat(this.template.sendBatch(queue, List.of())).isEmpty();
	}

	@Test
	void receiveReturnsTheSameBatchUntilAcked() {
		String queue = newQueue();
		this.template.sendBatch(queue, List.of("a", "b", "c"));
		PgqueBatch first = deliver(queue);
		PgqueBatch again = this.template.receive(queue, "c", 100).orElseThrow();

		assertThat(again.id()).isEqualTo(first.id());
		assertThat(again.messages()).isEqualTo(first.messages());
		assertThat(first.queue()).isEqualTo(queue);
		assertThat(first.consumer()).isEqualTo("c");
		assertThat(this.template.getBatchInfo(first.id())).hasValueSatisfying((info) -> {
			assertThat(info.queue()).isEqualTo(queue);
			assertThat(info.consumer()).isEqualTo("c");
		});
		assertThat(this.template.ack(first.id())).isTrue();
		assertThat(this.template.ack(first.id())).isFalse();
		assertThat(this.template.getBatchInfo(first.id())).isEmpty();
	}

	@Test
	void nackedMessageComesBackWithRetryCount() {
		String queue = newQueue();
		long id = this.template.send(queue, "retry me");
		PgqueBatch batch = deliver(queue);
		this.template.nack(batch.messages().get(0), Duration.ZERO, "not yet");
		this.template.ack(batch.id());
		db.jdbc().queryForObject("SELECT pgque.maint_retry_events()", Integer.class);

		PgqueMessage retried = deliver(queue).messages().get(0);

		assertThat(retried.id()).isEqualTo(id);
		assertThat(retried.retryCount()).isEqualTo(1);
		assertThat(retried.attempt()).isEqualTo(1);
		assertThat(retried.payload()).isEqualTo("retry me");
	}

	@Test
	void deadLettersCanBeInspectedReplayedAndPurged() {
		String queue = newQueue();
		this.template.setQueueConfig(queue, PgqueQueueConfig.builder().maxRetries(0).build());
		this.template.sendBatch(queue, List.of("first", "second"));
		PgqueBatch batch = deliver(queue);
		batch.messages().forEach((message) -> this.template.nack(message, Duration.ofSeconds(1), "poison"));
		this.template.ack(batch.id());

		List<PgqueDeadLetter> deadLetters = this.template.getDeadLetters(queue, 10);
		assertThat(this.template.countDeadLetters()).containsEntry(queue, 2L);
		assertThat(deadLetters).hasSize(2).allSatisfy((deadLetter) -> {
			assertThat(deadLetter.queue()).isEqualTo(queue);
			assertThat(deadLetter.consumer()).isEqualTo("c");
			assertThat(deadLetter.reason()).isEqualTo("poison");
		});
		assertThat(deadLetters).extracting(PgqueDeadLetter::payload).containsExactlyInAnyOrder("first", "second");

		PgqueDeadLetter replayed = deadLetters.get(0);
		long newId = this.template.replayDeadLetter(replayed.id());
		PgqueMessage redelivered = deliver(queue).messages().get(0);
		assertThat(redelivered.id()).isEqualTo(newId);
		assertThat(redelivered.payload()).isEqualTo(replayed.payload());
		assertThat(redelivered.retryCount()).isNull();

		assertThat(this.template.purgeDeadLetters(queue, Duration.ofDays(1))).isZero();
		assertThat(this.template.purgeDeadLetters(queue, Duration.ZERO)).isEqualTo(1);
		assertThat(this.template.getDeadLetters(queue, 10)).isEmpty();
		assertThat(this.template.countDeadLetters()).doesNotContainKey(queue);
		assertThat(this.template.replayDeadLetters(queue)).isEqualTo(new PgqueReplayResult(0, 0, null));
	}

	@Test
	void replayAllSendsEveryDeadLetterAgain() {
		String queue = newQueue();
		this.template.setQueueConfig(queue, PgqueQueueConfig.builder().maxRetries(0).build());
		this.template.sendBatch(queue, List.of("x", "y", "z"));
		PgqueBatch batch = deliver(queue);
		batch.messages().forEach((message) -> this.template.nack(message, Duration.ZERO, null));
		this.template.ack(batch.id());

		assertThat(this.template.replayDeadLetters(queue)).isEqualTo(new PgqueReplayResult(3, 0, null));
		assertThat(deliver(queue).messages()).extracting(PgqueMessage::payload)
			.containsExactlyInAnyOrder("x", "y", "z");
	}

	@Test
	void administrationCreatesConfiguresDescribesAndDropsQueues() {
		String queue = "admin_" + queues.incrementAndGet();
		assertThat(this.template.queueExists(queue)).isFalse();
		assertThat(this.template.createQueue(queue)).isTrue();
		assertThat(this.template.createQueue(queue)).isFalse();
		this.template.setQueueConfig(queue,
				PgqueQueueConfig.builder()
					.tickerMaxCount(7)
					.tickerMaxLag(Duration.ofMillis(1500))
					.tickerIdlePeriod(Duration.ofSeconds(30))
					.rotationPeriod(Duration.ofHours(1))
					.build());

		PgqueQueueInfo info = this.template.getQueueInfo(queue).orElseThrow();
		assertThat(info.name()).isEqualTo(queue);
		assertThat(info.tickerMaxCount()).isEqualTo(7);
		assertThat(info.tickerMaxLag()).isEqualTo(Duration.ofMillis(1500));
		assertThat(info.tickerIdlePeriod()).isEqualTo(Duration.ofSeconds(30));
		assertThat(info.rotationPeriod()).isEqualTo(Duration.ofHours(1));
		assertThat(info.tables()).isEqualTo(3);
		assertThat(info.tickerPaused()).isFalse();
		assertThat(info.lastTickId()).isNotNull();
		assertThat(this.template.getQueueInfo()).extracting(PgqueQueueInfo::name).contains(queue);

		this.template.setQueueConfig(queue,
				PgqueQueueConfig.builder().reset(PgqueQueueSetting.TICKER_MAX_COUNT).build());
		assertThat(this.template.getQueueInfo(queue).orElseThrow().tickerMaxCount()).isEqualTo(500);

		assertThat(this.template.subscribe(queue, "billing")).isTrue();
		assertThat(this.template.subscribe(queue, "billing")).isFalse();
		assertThat(this.template.getConsumerInfo(queue, "billing")).hasValueSatisfying((consumer) -> {
			assertThat(consumer.queue()).isEqualTo(queue);
			assertThat(consumer.consumer()).isEqualTo("billing");
			assertThat(consumer.currentBatch()).isNull();
		});
		assertThat(this.template.getConsumerInfo(queue)).extracting(PgqueConsumerInfo::consumer)
			.containsExactly("billing");
		assertThat(this.template.getConsumerInfo()).extracting(PgqueConsumerInfo::consumer).contains("billing");
		assertThat(this.template.unsubscribe(queue, "billing")).isTrue();
		assertThat(this.template.unsubscribe(queue, "billing")).isFalse();
		assertThat(this.template.getConsumerInfo(queue, "billing")).isEmpty();

		this.template.subscribe(queue, "audit");
		assertThatExceptionOfType(PgqueException.class).isThrownBy(() -> this.template.dropQueue(queue, false));
		this.template.dropQueue(queue, true);
		assertThat(this.template.queueExists(queue)).isFalse();
	}

	// 1 ns passes the builder but is 0 microseconds to PostgreSQL, which the engine
	// rejects for rotation_period; should the builder ever refuse it, this test needs
	// another value only the engine refuses
	@Test
	void setQueueConfigAppliesAllSettingsOrNone() {
		String queue = newQueue();
		assertThatExceptionOfType(PgqueException.class)
			.isThrownBy(() -> this.template.setQueueConfig(queue,
					PgqueQueueConfig.builder().tickerMaxCount(9).rotationPeriod(Duration.ofNanos(1)).build()))
			.withMessageContaining("rotation_period");
		assertThat(this.template.getQueueInfo(queue).orElseThrow().tickerMaxCount()).isEqualTo(500);
	}

	@Test
	void statusVersionAndTickerDescribeTheInstall() {
		assertThat(this.template.version()).isEqualTo("0.2.0");
		assertThat(this.template.status()).extracting(PgqueStatus::component).contains("postgresql", "pgque");
		String queue = newQueue();
		this.template.send(queue, "tick me");
		Long before = this.template.getQueueInfo(queue).orElseThrow().lastTickId();
		Long tick = this.template.forceTick(queue);
		assertThat(tick).isNotNull().isGreaterThan(before);
		// ticker() ticks every queue with enough new events: this one, after one more
		this.template.setQueueConfig(queue, PgqueQueueConfig.builder().tickerMaxCount(1).build());
		this.template.send(queue, "again");
		assertThat(this.template.ticker()).isPositive();
		assertThat(this.template.getQueueInfo(queue).orElseThrow().lastTickId()).isGreaterThan(tick);
	}

	// ---- every exception type from a real failing call

	@Test
	void sendToMissingQueueThrowsQueueNotFound() {
		assertThatExceptionOfType(PgqueQueueNotFoundException.class)
			.isThrownBy(() -> this.template.send("no_such_queue", "x"))
			.withMessageContaining("'no_such_queue'")
			.satisfies((ex) -> assertThat(ex.getQueue()).isEqualTo("no_such_queue"));
		assertThatExceptionOfType(PgqueQueueNotFoundException.class)
			.isThrownBy(() -> this.template.sendBatch("no_such_queue", List.of("x", "y")));
		assertThatExceptionOfType(PgqueQueueNotFoundException.class).isThrownBy(
				() -> this.template.setQueueConfig("no_such_queue", PgqueQueueConfig.builder().maxRetries(1).build()));
		assertThatExceptionOfType(PgqueQueueNotFoundException.class)
			.isThrownBy(() -> this.template.dropQueue("no_such_queue", true));
	}

	@Test
	void receiveForUnsubscribedConsumerThrowsConsumerNotFound() {
		String queue = newQueue();
		assertThatExceptionOfType(PgqueConsumerNotFoundException.class)
			.isThrownBy(() -> this.template.receive(queue, "stranger", 10))
			.withMessageContaining("'stranger'")
			.withMessageContaining("'" + queue + "'")
			.satisfies((ex) -> assertThat(ex.getConsumer()).isEqualTo("stranger"));
	}

	@Test
	void nackOnFinishedBatchThrowsBatchNotFound() {
		String queue = newQueue();
		this.template.send(queue, "x");
		PgqueBatch batch = deliver(queue);
		this.template.ack(batch.id());
		assertThatExceptionOfType(PgqueBatchNotFoundException.class)
			.isThrownBy(() -> this.template.nack(batch.messages().get(0), Duration.ZERO, null))
			.withMessageContaining(Long.toString(batch.id()))
			.satisfies((ex) -> assertThat(ex.getBatchId()).isEqualTo(batch.id()));
	}

	@Test
	void replayOfMissingDeadLetterThrowsDeadLetterNotFound() {
		assertThatExceptionOfType(PgqueDeadLetterNotFoundException.class)
			.isThrownBy(() -> this.template.replayDeadLetter(987654321L))
			.withMessageContaining("987654321");
	}

	@Test
	void badNamesFailBeforeAnySqlRuns() {
		PgqueTemplate offline = new PgqueTemplate(new UnreachableDataSource(),
				new PgqueJsonPayloadConverter(this.jsonMapper, PgqueTypeMapper.simpleNames()));
		assertThatExceptionOfType(PgqueInvalidNameException.class).isThrownBy(() -> offline.send(null, "x"));
		assertThatExceptionOfType(PgqueInvalidNameException.class).isThrownBy(() -> offline.send(" ", "x"));
		assertThatExceptionOfType(PgqueInvalidNameException.class)
			.isThrownBy(() -> offline.sendBatch("q".repeat(58), List.of("x")))
			.withMessageContaining("58 bytes");
		assertThatExceptionOfType(PgqueInvalidNameException.class).isThrownBy(() -> offline.receive("orders", "", 10));
		assertThatExceptionOfType(PgqueInvalidNameException.class).isThrownBy(() -> offline.send("orders", "", "x"));
		assertThatExceptionOfType(PgqueInvalidNameException.class)
			.isThrownBy(() -> offline.createQueue("é".repeat(29)));
	}

	@Test
	void unserializablePayloadFailsBeforeAnythingIsSent() {
		String queue = newQueue();
		List<Object> payloads = new ArrayList<>();
		IntStream.range(0, 5).forEach((i) -> payloads.add(new Line("ok-" + i, i)));
		payloads.add(new Exploding());
		assertThatExceptionOfType(PgqueConversionException.class)
			.isThrownBy(() -> this.template.sendBatch(queue, payloads))
			.withMessageContaining("index 5")
			.withMessageContaining("nothing was sent");
		assertThatExceptionOfType(PgqueConversionException.class)
			.isThrownBy(() -> this.template.send(queue, new Exploding()));
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.template.sendBatch(queue, java.util.Arrays.asList("a", null)))
			.withMessageContaining("index 1");

		this.template.forceTick(queue);
		assertThat(this.template.receive(queue, "c", 100)).isEmpty();
	}

	@Test
	void unreadablePayloadThrowsConversionException() {
		String queue = newQueue();
		this.template.send(queue, "Order", "{\"id\": ");
		PgqueMessage message = deliver(queue).messages().get(0);
		assertThatExceptionOfType(PgqueConversionException.class)
			.isThrownBy(() -> this.template.convert(message, Order.class))
			.withMessageContaining("'Order'");
	}

	// ---- helpers

	/**
	 * A new queue with consumer {@code c} subscribed.
	 */
	private String newQueue() {
		String queue = "q_" + queues.incrementAndGet();
		this.template.createQueue(queue);
		this.template.subscribe(queue, "c");
		return queue;
	}

	/**
	 * Tick the queue and receive consumer {@code c}'s batch, which must not be empty.
	 */
	private PgqueBatch deliver(String queue) {
		this.template.forceTick(queue);
		return this.template.receive(queue, "c", 10_000).orElseThrow();
	}

	record Order(String id, int qty, List<Line> lines) {
	}

	record Line(String sku, int qty) {
	}

	static class Exploding {

		public String getValue() {
			throw new IllegalStateException("boom");
		}

	}

	/**
	 * Fails every connection attempt, to prove a call ran no SQL.
	 */
	static class UnreachableDataSource implements DataSource {

		@Override
		public Connection getConnection() throws SQLException {
			throw new SQLException("no SQL expected");
		}

		@Override
		public Connection getConnection(String username, String password) throws SQLException {
			throw new SQLException("no SQL expected");
		}

		@Override
		public PrintWriter getLogWriter() {
			return null;
		}

		@Override
		public void setLogWriter(PrintWriter out) {
		}

		@Override
		public void setLoginTimeout(int seconds) {
		}

		@Override
		public int getLoginTimeout() {
			return 0;
		}

		@Override
		public Logger getParentLogger() {
			return Logger.getGlobal();
		}

		@Override
		public <T> T unwrap(Class<T> type) throws SQLException {
			throw new SQLException("not a wrapper");
		}

		@Override
		public boolean isWrapperFor(Class<?> type) {
			return false;
		}

	}

}
