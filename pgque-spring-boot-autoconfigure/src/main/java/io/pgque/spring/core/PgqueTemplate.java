package io.pgque.spring.core;

import io.pgque.spring.convert.PgqueConversionException;
import io.pgque.spring.PgqueException;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.pgque.spring.convert.PgquePayload;
import io.pgque.spring.convert.PgquePayloadConverter;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.SqlTypeValue;

/**
 * The default {@link PgqueOperations} and {@link PgqueAdminOperations}: calls the
 * engine's SQL API through a {@link JdbcTemplate}, which takes its connection from
 * {@code DataSourceUtils} and so joins the caller's Spring-managed transaction on the
 * same DataSource. Thread-safe once constructed.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueTemplate implements PgqueOperations, PgqueAdminOperations {

	private static final ResultSetExtractor<List<Long>> IDS = PgqueTemplate::readIds;

	private final JdbcTemplate jdbc;

	private final PgquePayloadConverter converter;

	private final PgqueErrorTranslator errorTranslator;

	private final PgqueEngineFunctions engineFunctions;

	private volatile PgqueSendObserver sendObserver = PgqueSendObserver.NONE;

	/**
	 * Create a template on a DataSource.
	 * @param dataSource the DataSource the engine is installed in
	 * @param converter converts payloads
	 */
	public PgqueTemplate(DataSource dataSource, PgquePayloadConverter converter) {
		this(new JdbcTemplate(dataSource), converter, new PgqueErrorTranslator());
	}

	/**
	 * Create a template on a configured JdbcTemplate.
	 * @param jdbc the JdbcTemplate; its DataSource is the one the engine is installed in
	 * @param converter converts payloads
	 * @param errorTranslator turns engine errors into {@link PgqueException}s
	 */
	public PgqueTemplate(JdbcTemplate jdbc, PgquePayloadConverter converter, PgqueErrorTranslator errorTranslator) {
		this.jdbc = jdbc;
		this.converter = converter;
		this.errorTranslator = errorTranslator;
		this.engineFunctions = new PgqueEngineFunctions(jdbc);
	}

	/**
	 * Watch every send with an observer (metrics, observation, tracing).
	 * @param sendObserver the observer
	 */
	public void setSendObserver(PgqueSendObserver sendObserver) {
		this.sendObserver = sendObserver;
	}

	/**
	 * The converter payloads go through.
	 * @return the converter
	 */
	public PgquePayloadConverter getConverter() {
		return this.converter;
	}

	// ---- sending

	@Override
	public long send(String queue, Object payload) {
		PgqueNames.requireQueue(queue);
		PgquePayload converted = this.converter.toPayload(requirePayload(payload, -1));
		return sendConverted(queue, this.converter.typeName(payload), converted);
	}

	@Override
	public long send(String queue, String type, Object payload) {
		PgqueNames.requireQueue(queue);
		PgqueNames.requireType(type);
		return sendConverted(queue, type, this.converter.toPayload(requirePayload(payload, -1)));
	}

	private long sendConverted(String queue, String type, PgquePayload payload) {
		return observed(queue, type, 1, (trace) -> List.of(sendOne(queue, type, payload, trace))).get(0);
	}

	private long sendOne(String queue, String type, PgquePayload payload, @Nullable String trace) {
		if (trace != null) {
			String sql = payload.json() ? PgqueSql.SEND_TRACED_JSON : PgqueSql.SEND_TRACED_TEXT;
			return run("send", queue, null, null, () -> requireResult(
					this.jdbc.queryForObject(sql, Long.class, queue, type, payload.content(), trace), sql));
		}
		String sql = payload.json() ? PgqueSql.SEND_JSON : PgqueSql.SEND_TEXT;
		return run("send", queue, null, null,
				() -> requireResult(this.jdbc.queryForObject(sql, Long.class, queue, type, payload.content()), sql));
	}

	// The send observer (metrics, observation) wraps the SQL and may hand a trace
	// context to store with the events.
	private List<Long> observed(String queue, String type, int count, Function<@Nullable String, List<Long>> send) {
		PgqueSendObserver.Send observed = this.sendObserver.start(queue, type, count);
		List<Long> ids;
		try {
			ids = send.apply(observed.traceContext());
		}
		catch (RuntimeException | Error ex) {
			observed.failed(ex);
			throw ex;
		}
		observed.sent(ids);
		return ids;
	}

	@Override
	public List<Long> sendBatch(String queue, List<?> payloads) {
		PgqueNames.requireQueue(queue);
		List<PgquePayload> converted = convertAll(payloads);
		List<String> types = new ArrayList<>(payloads.size());
		for (Object payload : payloads) {
			types.add(this.converter.typeName(payload));
		}
		return sendBatchConverted(queue, types, converted);
	}

	@Override
	public List<Long> sendBatch(String queue, String type, List<?> payloads) {
		PgqueNames.requireQueue(queue);
		PgqueNames.requireType(type);
		List<PgquePayload> converted = convertAll(payloads);
		return sendBatchConverted(queue, Collections.nCopies(converted.size(), type), converted);
	}

	// Converts everything before any SQL runs: one bad payload sends nothing
	private List<PgquePayload> convertAll(@Nullable List<?> payloads) {
		if (payloads == null) {
			throw new IllegalArgumentException("PgQue payloads must not be null");
		}
		List<PgquePayload> converted = new ArrayList<>(payloads.size());
		for (int i = 0; i < payloads.size(); i++) {
			try {
				converted.add(this.converter.toPayload(requirePayload(payloads.get(i), i)));
			}
			catch (PgqueConversionException ex) {
				throw new PgqueConversionException(
						"PgQue payload at index " + i + " cannot be converted, nothing was sent: " + ex.getMessage(),
						ex);
			}
		}
		return converted;
	}

	private List<Long> sendBatchConverted(String queue, List<String> types, List<PgquePayload> payloads) {
		if (payloads.isEmpty()) {
			return List.of();
		}
		boolean json = true;
		String[] contents = new String[payloads.size()];
		for (int i = 0; i < contents.length; i++) {
			json &= payloads.get(i).json();
			contents[i] = payloads.get(i).content();
		}
		String type = types.get(0);
		boolean oneType = types.stream().allMatch(type::equals);
		Batch batch = new Batch(queue, oneType ? type : null, types, json, contents);
		return observed(queue, oneType ? type : "mixed", payloads.size(),
				(trace) -> (trace != null) ? sendBatchTraced(batch, trace) : sendBatchUntraced(batch));
	}

	// One batch, converted: its one type (null when they differ), each
	// payload's type, and the contents (all JSON, or sent as text)
	private record Batch(String queue, @Nullable String type, List<String> types, boolean json, String[] contents) {

		String[] typeArray() {
			return this.types.toArray(String[]::new);
		}

	}

	private List<Long> sendBatchUntraced(Batch batch) {
		return run("sendBatch", batch.queue(), null, null, () -> {
			// One round trip either way: one set-based insert when all share a type,
			// otherwise one statement sending row by row in order
			if (batch.type() != null) {
				String sql = batch.json() ? PgqueSql.SEND_BATCH_JSON : PgqueSql.SEND_BATCH_TEXT;
				return requireResult(
						this.jdbc.query(sql, IDS, batch.queue(), batch.type(), textArray(batch.contents())), sql);
			}
			String sql = batch.json() ? PgqueSql.SEND_MIXED_JSON : PgqueSql.SEND_MIXED_TEXT;
			return requireResult(
					this.jdbc.query(sql, IDS, batch.queue(), textArray(batch.typeArray()), textArray(batch.contents())),
					sql);
		});
	}

	// The trace context goes to ev_extra4 of every event: one set-based send_batch when
	// all share a type, otherwise one statement inserting row by row through insert_event
	private List<Long> sendBatchTraced(Batch batch, String trace) {
		if (batch.type() != null && this.engineFunctions.has(PgqueEngineFunctions.SEND_BATCH_WITH_EXTRA4)) {
			String sql = batch.json() ? PgqueSql.SEND_TRACED_BATCH_JSON : PgqueSql.SEND_TRACED_BATCH_TEXT;
			return run("sendBatch", batch.queue(), null, null,
					() -> requireResult(
							this.jdbc.query(sql, IDS, batch.queue(), batch.type(), textArray(batch.contents()), trace),
							sql));
		}
		String sql = batch.json() ? PgqueSql.SEND_TRACED_MIXED_JSON : PgqueSql.SEND_TRACED_MIXED_TEXT;
		return run("sendBatch", batch.queue(), null, null, () -> requireResult(this.jdbc.query(sql, IDS, batch.queue(),
				trace, textArray(batch.typeArray()), textArray(batch.contents())), sql));
	}

	private static SqlTypeValue textArray(@Nullable String[] values) {
		return (ps, index, sqlType, typeName) -> ps.setArray(index, ps.getConnection().createArrayOf("text", values));
	}

	private static List<Long> readIds(ResultSet rs) throws SQLException {
		if (!rs.next()) {
			return List.of();
		}
		Array array = rs.getArray(1);
		if (array == null) {
			return List.of();
		}
		Object[] ids = (Object[]) array.getArray();
		List<Long> result = new ArrayList<>(ids.length);
		for (Object id : ids) {
			result.add(((Number) id).longValue());
		}
		return result;
	}

	private static Object requirePayload(@Nullable Object payload, int index) {
		if (payload == null) {
			throw new IllegalArgumentException(
					(index < 0) ? "PgQue payload must not be null" : "PgQue payload at index " + index + " is null");
		}
		return payload;
	}

	@Override
	public long sendKeyed(String queue, String partitionKey, Object payload) {
		PgqueNames.requireQueue(queue);
		requirePartitionKey(partitionKey, -1);
		PgquePayload converted = this.converter.toPayload(requirePayload(payload, -1));
		return sendKeyedConverted(queue, partitionKey, this.converter.typeName(payload), converted);
	}

	@Override
	public long sendKeyed(String queue, String partitionKey, String type, Object payload) {
		PgqueNames.requireQueue(queue);
		requirePartitionKey(partitionKey, -1);
		PgqueNames.requireType(type);
		return sendKeyedConverted(queue, partitionKey, type, this.converter.toPayload(requirePayload(payload, -1)));
	}

	private long sendKeyedConverted(String queue, String partitionKey, String type, PgquePayload payload) {
		return observed(queue, type, 1, (trace) -> {
			String sql = (trace != null)
					? (payload.json() ? PgqueSql.SEND_KEYED_TRACED_JSON : PgqueSql.SEND_KEYED_TRACED_TEXT)
					: (payload.json() ? PgqueSql.SEND_KEYED_JSON : PgqueSql.SEND_KEYED_TEXT);
			Object[] args = (trace != null) ? new Object[] { queue, type, payload.content(), partitionKey, trace }
					: new Object[] { queue, type, payload.content(), partitionKey };
			return List.of(run("send", queue, null, null,
					() -> requireResult(this.jdbc.queryForObject(sql, Long.class, args), sql)));
		}).get(0);
	}

	@Override
	public <T> List<Long> sendKeyedBatch(String queue, List<T> payloads, Function<? super T, String> partitionKey) {
		PgqueNames.requireQueue(queue);
		if (partitionKey == null) {
			throw new IllegalArgumentException("PgQue partition key function must not be null");
		}
		List<PgquePayload> converted = convertAll(payloads);
		if (converted.isEmpty()) {
			return List.of();
		}
		String[] keys = new String[payloads.size()];
		String[] types = new String[payloads.size()];
		for (int i = 0; i < keys.length; i++) {
			keys[i] = requirePartitionKey(partitionKey.apply(payloads.get(i)), i);
			types[i] = this.converter.typeName(payloads.get(i));
		}
		boolean json = converted.stream().allMatch(PgquePayload::json);
		String[] contents = converted.stream().map(PgquePayload::content).toArray(String[]::new);
		boolean oneType = Arrays.stream(types).allMatch(types[0]::equals);
		String sql = json ? PgqueSql.SEND_KEYED_BATCH_JSON : PgqueSql.SEND_KEYED_BATCH_TEXT;
		return observed(queue, oneType ? types[0] : "mixed", converted.size(),
				(trace) -> run("sendBatch", queue, null, null, () -> requireResult(
						this.jdbc.query(sql, IDS, queue, trace, textArray(types), textArray(contents), textArray(keys)),
						sql)));
	}

	private static String requirePartitionKey(@Nullable String partitionKey, int index) {
		if (partitionKey == null) {
			throw new IllegalArgumentException((index < 0) ? "PgQue partition key must not be null"
					: "PgQue partition key of the payload at index " + index + " is null");
		}
		return partitionKey;
	}

	@Override
	public PgqueIdempotentSend sendIdempotent(String queue, String key, Duration ttl, Object payload) {
		PgqueNames.requireQueue(queue);
		if (key == null) {
			throw new IllegalArgumentException("PgQue idempotency key must not be null");
		}
		if (ttl == null || ttl.isNegative() || ttl.isZero()) {
			throw new IllegalArgumentException("PgQue idempotency ttl must be more than zero, was " + ttl);
		}
		PgquePayload converted = this.converter.toPayload(requirePayload(payload, -1));
		String type = this.converter.typeName(payload);
		PgqueIdempotentSend[] result = new PgqueIdempotentSend[1];
		// the observer sees the event id either way; a duplicate's is the first send's
		// (and keeps the first send's trace context)
		observed(queue, type, 1, (observedTrace) -> {
			String trace = storable(observedTrace, PgqueEngineFunctions.SEND_IDEM_WITH_EXTRA4);
			String sql = (trace != null)
					? (converted.json() ? PgqueSql.SEND_IDEM_TRACED_JSON : PgqueSql.SEND_IDEM_TRACED_TEXT)
					: (converted.json() ? PgqueSql.SEND_IDEM_JSON : PgqueSql.SEND_IDEM_TEXT);
			Object[] args = withTrace(trace, queue, type, converted.content(), key, seconds(ttl));
			result[0] = run("sendIdempotent", queue, null, null, () -> requireResult(this.jdbc.queryForObject(sql,
					(rs, row) -> new PgqueIdempotentSend(rs.getLong(1), rs.getBoolean(2)), args), sql));
			return List.of(result[0].eventId());
		});
		return result[0];
	}

	@Override
	public PgqueDelayedSend sendAt(String queue, Instant deliverAt, Object payload) {
		if (deliverAt == null) {
			throw new IllegalArgumentException("PgQue deliverAt must not be null");
		}
		return sendDelayed(
				queue, payload, new DelayedSql(PgqueSql.SEND_AT_JSON, PgqueSql.SEND_AT_TEXT,
						PgqueSql.SEND_AT_TRACED_JSON, PgqueSql.SEND_AT_TRACED_TEXT),
				deliverAt.atOffset(ZoneOffset.UTC));
	}

	@Override
	public PgqueDelayedSend sendAfter(String queue, Duration delay, Object payload) {
		if (delay == null || delay.isNegative()) {
			throw new IllegalArgumentException("PgQue delay must not be negative, was " + delay);
		}
		return sendDelayed(queue, payload, new DelayedSql(PgqueSql.SEND_AFTER_JSON, PgqueSql.SEND_AFTER_TEXT,
				PgqueSql.SEND_AFTER_TRACED_JSON, PgqueSql.SEND_AFTER_TRACED_TEXT), seconds(delay));
	}

	private PgqueDelayedSend sendDelayed(String queue, Object payload, DelayedSql statements, Object when) {
		PgqueNames.requireQueue(queue);
		PgquePayload converted = this.converter.toPayload(requirePayload(payload, -1));
		String type = this.converter.typeName(payload);
		PgqueDelayedSend[] result = new PgqueDelayedSend[1];
		observed(queue, type, 1, (observedTrace) -> {
			String trace = storable(observedTrace, PgqueEngineFunctions.SEND_AT_WITH_EXTRA4);
			String sql = statements.pick(converted.json(), trace != null);
			Object[] args = withTrace(trace, queue, type, converted.content(), when);
			result[0] = run("sendAt", queue, null, null, () -> requireResult(this.jdbc.queryForObject(sql,
					(rs, row) -> new PgqueDelayedSend(rs.getLong(1), rs.getBoolean(2)), args), sql));
			return List.of(result[0].id());
		});
		return result[0];
	}

	// the trace context, if the engine has the function that stores it (an upstream
	// install has not: the event is sent without it)
	private @Nullable String storable(@Nullable String trace, String function) {
		return (trace != null && this.engineFunctions.has(function)) ? trace : null;
	}

	// a trace context, when there is one, is the last argument of the traced statements
	private static Object[] withTrace(@Nullable String trace, Object... args) {
		if (trace == null) {
			return args;
		}
		Object[] traced = Arrays.copyOf(args, args.length + 1);
		traced[args.length] = trace;
		return traced;
	}

	// the statements of a delayed send: payload as JSON or text, with or without a trace
	// context
	private record DelayedSql(String json, String text, String tracedJson, String tracedText) {

		String pick(boolean isJson, boolean traced) {
			if (traced) {
				return isJson ? this.tracedJson : this.tracedText;
			}
			return isJson ? this.json : this.text;
		}

	}

	private static double seconds(Duration duration) {
		return duration.getSeconds() + duration.getNano() / 1e9;
	}

	// ---- receiving

	@Override
	public Optional<PgqueBatch> receive(String queue, String consumer, int max) {
		PgqueNames.requireQueue(queue);
		PgqueNames.requireConsumer(consumer);
		if (max < 1) {
			throw new IllegalArgumentException("max must be at least 1, was " + max);
		}
		List<PgqueMessage> messages = run("receive", queue, consumer, null,
				() -> this.jdbc.query(PgqueSql.RECEIVE, PgqueRowMappers.MESSAGE, queue, consumer, max));
		if (messages.isEmpty()) {
			return Optional.empty();
		}
		return Optional.of(new PgqueBatch(messages.get(0).batchId(), queue, consumer, messages));
	}

	@Override
	public boolean ack(long batchId) {
		return run("ack", null, null, batchId,
				() -> Objects.equals(this.jdbc.queryForObject(PgqueSql.ACK, Integer.class, batchId), 1));
	}

	@Override
	public void nack(PgqueMessage message, Duration retryAfter, @Nullable String reason) {
		if (retryAfter.isNegative()) {
			throw new IllegalArgumentException("retryAfter must not be negative, was " + retryAfter);
		}
		run("nack", null, null, message.batchId(),
				() -> this.jdbc.queryForObject(PgqueSql.NACK, Integer.class, message.batchId(), message.id(),
						message.batchId(), text(message.type()), text(message.payload()),
						new SqlParameterValue(Types.INTEGER, message.retryCount()), message.createdAt(),
						text(message.extra1()), text(message.extra2()), text(message.extra3()), text(message.extra4()),
						PgqueInterval.of(retryAfter), text(reason)));
	}

	@Override
	public <T> @Nullable T convert(PgqueMessage message, Class<T> type) {
		return this.converter.fromPayload(message.payload(), message.type(), type);
	}

	// ---- ticking

	@Override
	public @Nullable Long forceTick(String queue) {
		PgqueNames.requireQueue(queue);
		return run("forceTick", queue, null, null, () -> {
			Long newest = this.jdbc.queryForObject(PgqueSql.FORCE_NEXT_TICK, Long.class, queue);
			Long ticked = this.jdbc.queryForObject(PgqueSql.TICKER_QUEUE, Long.class, queue);
			return (ticked != null) ? ticked : newest;
		});
	}

	@Override
	public int ticker() {
		return run("ticker", null, null, null, () -> {
			Long ticked = this.jdbc.queryForObject(PgqueSql.TICKER, Long.class);
			return (ticked != null) ? ticked.intValue() : 0;
		});
	}

	// ---- administration

	@Override
	public boolean createQueue(String queue) {
		PgqueNames.requireQueue(queue);
		return run("createQueue", queue, null, null,
				() -> Objects.equals(this.jdbc.queryForObject(PgqueSql.CREATE_QUEUE, Integer.class, queue), 1));
	}

	@Override
	public void dropQueue(String queue, boolean force) {
		PgqueNames.requireQueue(queue);
		run("dropQueue", queue, null, null,
				() -> this.jdbc.queryForObject(PgqueSql.DROP_QUEUE, Integer.class, queue, force));
	}

	@Override
	public void setQueueConfig(String queue, PgqueQueueConfig config) {
		PgqueNames.requireQueue(queue);
		if (config.isEmpty()) {
			return;
		}
		List<String> names = new ArrayList<>();
		List<@Nullable String> values = new ArrayList<>();
		config.values().forEach((setting, value) -> {
			names.add(setting.sqlName());
			values.add(value);
		});
		run("setQueueConfig", queue, null, null, () -> this.jdbc.queryForObject(PgqueSql.SET_QUEUE_CONFIG, Long.class,
				queue, textArray(names.toArray(String[]::new)), textArray(values.toArray(String[]::new))));
	}

	@Override
	public boolean subscribe(String queue, String consumer) {
		PgqueNames.requireQueue(queue);
		PgqueNames.requireConsumer(consumer);
		return run("subscribe", queue, consumer, null,
				() -> Objects.equals(this.jdbc.queryForObject(PgqueSql.SUBSCRIBE, Integer.class, queue, consumer), 1));
	}

	@Override
	public boolean unsubscribe(String queue, String consumer) {
		PgqueNames.requireQueue(queue);
		PgqueNames.requireConsumer(consumer);
		return run("unsubscribe", queue, consumer, null, () -> {
			Integer removed = this.jdbc.queryForObject(PgqueSql.UNSUBSCRIBE, Integer.class, queue, consumer);
			return removed != null && removed > 0;
		});
	}

	@Override
	public List<PgqueQueueInfo> getQueueInfo() {
		return run("getQueueInfo", null, null, null,
				() -> this.jdbc.query(PgqueSql.QUEUE_INFO_ALL, PgqueRowMappers.QUEUE_INFO));
	}

	@Override
	public Optional<PgqueQueueInfo> getQueueInfo(String queue) {
		PgqueNames.requireQueue(queue);
		return run("getQueueInfo", queue, null, null,
				() -> first(this.jdbc.query(PgqueSql.QUEUE_INFO, PgqueRowMappers.QUEUE_INFO, queue)));
	}

	@Override
	public List<PgqueConsumerInfo> getConsumerInfo() {
		return run("getConsumerInfo", null, null, null,
				() -> this.jdbc.query(PgqueSql.CONSUMER_INFO_ALL, PgqueRowMappers.CONSUMER_INFO));
	}

	@Override
	public List<PgqueConsumerInfo> getConsumerInfo(String queue) {
		PgqueNames.requireQueue(queue);
		return run("getConsumerInfo", queue, null, null,
				() -> this.jdbc.query(PgqueSql.CONSUMER_INFO_QUEUE, PgqueRowMappers.CONSUMER_INFO, queue));
	}

	@Override
	public Optional<PgqueConsumerInfo> getConsumerInfo(String queue, String consumer) {
		PgqueNames.requireQueue(queue);
		PgqueNames.requireConsumer(consumer);
		return run("getConsumerInfo", queue, consumer, null,
				() -> first(this.jdbc.query(PgqueSql.CONSUMER_INFO, PgqueRowMappers.CONSUMER_INFO, queue, consumer)));
	}

	@Override
	public Optional<PgqueBatchInfo> getBatchInfo(long batchId) {
		return run("getBatchInfo", null, null, batchId,
				() -> first(this.jdbc.query(PgqueSql.BATCH_INFO, PgqueRowMappers.BATCH_INFO, batchId)));
	}

	@Override
	public List<PgqueStatus> status() {
		return run("status", null, null, null, () -> this.jdbc.query(PgqueSql.STATUS, PgqueRowMappers.STATUS));
	}

	@Override
	public String version() {
		return run("version", null, null, null,
				() -> requireResult(this.jdbc.queryForObject(PgqueSql.VERSION, String.class), PgqueSql.VERSION));
	}

	@Override
	public List<PgqueDeadLetter> getDeadLetters(String queue, int limit) {
		PgqueNames.requireQueue(queue);
		if (limit < 1) {
			throw new IllegalArgumentException("limit must be at least 1, was " + limit);
		}
		return run("getDeadLetters", queue, null, null,
				() -> this.jdbc.query(PgqueSql.DLQ_INSPECT, PgqueRowMappers.DEAD_LETTER, queue, queue, limit));
	}

	@Override
	public Map<String, Long> countDeadLetters() {
		return run("countDeadLetters", null, null, null, () -> {
			Map<String, Long> counts = new LinkedHashMap<>();
			this.jdbc.query(PgqueSql.DLQ_COUNTS, (rs) -> {
				counts.put(rs.getString(1), rs.getLong(2));
			});
			return counts;
		});
	}

	@Override
	public long replayDeadLetter(long deadLetterId) {
		return run("replayDeadLetter", null, null, deadLetterId,
				() -> requireResult(this.jdbc.queryForObject(PgqueSql.DLQ_REPLAY, Long.class, deadLetterId),
						PgqueSql.DLQ_REPLAY));
	}

	@Override
	public PgqueReplayResult replayDeadLetters(String queue) {
		PgqueNames.requireQueue(queue);
		return run("replayDeadLetters", queue, null, null,
				() -> requireResult(
						this.jdbc.queryForObject(PgqueSql.DLQ_REPLAY_ALL, PgqueRowMappers.REPLAY_RESULT, queue),
						PgqueSql.DLQ_REPLAY_ALL));
	}

	@Override
	public int purgeDeadLetters(String queue, Duration olderThan) {
		PgqueNames.requireQueue(queue);
		if (olderThan.isNegative()) {
			throw new IllegalArgumentException("olderThan must not be negative, was " + olderThan);
		}
		return run("purgeDeadLetters", queue, null, null, () -> {
			Integer purged = this.jdbc.queryForObject(PgqueSql.DLQ_PURGE, Integer.class, queue,
					PgqueInterval.of(olderThan));
			return (purged != null) ? purged : 0;
		});
	}

	// ---- plumbing

	private <T> T run(String operation, @Nullable String queue, @Nullable String consumer, @Nullable Long id,
			Supplier<T> call) {
		return this.errorTranslator.call(operation, queue, consumer, id, call);
	}

	// Typed, so that a null needs no parameter-type lookup by the driver
	private static SqlParameterValue text(@Nullable String value) {
		return new SqlParameterValue(Types.VARCHAR, value);
	}

	private static <T> Optional<T> first(List<T> rows) {
		return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
	}

	private static <T> T requireResult(@Nullable T result, String sql) {
		if (result == null) {
			throw new PgqueException("PgQue returned no result for " + sql);
		}
		return result;
	}

}
