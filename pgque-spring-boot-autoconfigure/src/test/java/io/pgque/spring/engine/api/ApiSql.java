package io.pgque.spring.engine.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import io.pgque.spring.engine.EngineSql;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * Calls into the modern SQL API for tests; each call on {@link #jdbc()} commits alone.
 * The static methods run on a given connection, inside the caller's transaction.
 */
final class ApiSql {

	static final String RECEIVE = "SELECT msg_id, batch_id, type, payload, retry_count, created_at"
			+ " FROM pgque.receive(?, ?, ?)";

	static final RowMapper<Message> MESSAGE = (rs, row) -> message(rs);

	private final JdbcTemplate jdbc;

	private final EngineSql engine;

	ApiSql(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
		this.engine = new EngineSql(jdbc);
	}

	JdbcTemplate jdbc() {
		return this.jdbc;
	}

	EngineSql engine() {
		return this.engine;
	}

	void createQueue(String queue) {
		this.engine.createQueue(queue);
	}

	int subscribe(String queue, String consumer) {
		return this.jdbc.queryForObject("SELECT pgque.subscribe(?, ?)", Integer.class, queue, consumer);
	}

	long send(String queue, String payload) {
		return this.jdbc.queryForObject("SELECT pgque.send(?, ?::text)", Long.class, queue, payload);
	}

	long send(String queue, String type, String payload) {
		return this.jdbc.queryForObject("SELECT pgque.send(?, ?, ?::text)", Long.class, queue, type, payload);
	}

	long tick(String queue) {
		return this.engine.tick(queue);
	}

	List<Message> receive(String queue, String consumer) {
		return receive(queue, consumer, 1000);
	}

	List<Message> receive(String queue, String consumer, int max) {
		return this.jdbc.query(RECEIVE, MESSAGE, queue, consumer, max);
	}

	int ack(long batchId) {
		return this.jdbc.queryForObject("SELECT pgque.ack(?)", Integer.class, batchId);
	}

	int nack(long batchId, @Nullable Long msgId, String retryAfter, @Nullable String reason) {
		return this.jdbc.queryForObject(
				"SELECT pgque.nack(?, ROW(?, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::pgque.message,"
						+ " ?::interval, ?)",
				Integer.class, batchId, msgId, retryAfter, reason);
	}

	int setConfig(String queue, String param, @Nullable String value) {
		return this.jdbc.queryForObject("SELECT pgque.set_queue_config(?, ?, ?)", Integer.class, queue, param, value);
	}

	int maintRetryEvents() {
		return this.jdbc.queryForObject("SELECT pgque.maint_retry_events()", Integer.class);
	}

	int deadLetterCount(String queue) {
		return this.jdbc.queryForObject(
				"SELECT count(*) FROM pgque.dead_letter d"
						+ " JOIN pgque.queue q ON q.queue_id = d.dl_queue_id WHERE q.queue_name = ?",
				Integer.class, queue);
	}

	/**
	 * Receive on the given connection, in its current transaction.
	 * @param connection the connection
	 * @param queue the queue
	 * @param consumer the consumer
	 * @return the messages
	 * @throws SQLException on a database error
	 */
	static List<Message> receive(Connection connection, String queue, String consumer) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(RECEIVE)) {
			statement.setString(1, queue);
			statement.setString(2, consumer);
			statement.setInt(3, 100_000);
			List<Message> messages = new ArrayList<>();
			try (ResultSet rs = statement.executeQuery()) {
				while (rs.next()) {
					messages.add(message(rs));
				}
			}
			return messages;
		}
	}

	static int ack(Connection connection, long batchId) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement("SELECT pgque.ack(?)")) {
			statement.setLong(1, batchId);
			try (ResultSet rs = statement.executeQuery()) {
				rs.next();
				return rs.getInt(1);
			}
		}
	}

	static long backendPid(Connection connection) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement("SELECT pg_backend_pid()");
				ResultSet rs = statement.executeQuery()) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private static Message message(ResultSet rs) throws SQLException {
		return new Message(rs.getLong("msg_id"), rs.getLong("batch_id"), rs.getString("type"), rs.getString("payload"),
				(Integer) rs.getObject("retry_count"), rs.getObject("created_at", OffsetDateTime.class));
	}

	/**
	 * One row of {@code pgque.receive}.
	 *
	 * @param msgId the event id
	 * @param batchId the batch id
	 * @param type the event type
	 * @param payload the payload
	 * @param retryCount the retry count, {@code null} on first delivery
	 * @param createdAt the event time
	 */
	record Message(long msgId, long batchId, @Nullable String type, @Nullable String payload,
			@Nullable Integer retryCount, OffsetDateTime createdAt) {

	}

}
