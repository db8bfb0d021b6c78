package io.pgque.spring.engine.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.pgque.spring.engine.api.ApiSql.Message;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Calls into the partition-key SQL API (extended contract §B) for tests, each committing
 * alone, or on a given connection in its open transaction.
 */
final class SlotSql {

	static final String RECEIVE = "SELECT msg_id, batch_id, type, payload, retry_count, created_at, extra1"
			+ " FROM pgque.receive_partitioned(?, ?, ?, ?, ?, ?)";

	private final JdbcTemplate jdbc;

	SlotSql(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	long send(String queue, String payload, @Nullable String key) {
		return this.jdbc.queryForObject("SELECT pgque.send(?, 't', ?::text, ?)", Long.class, queue, payload, key);
	}

	void subscribe(String queue, String consumer, int slot, int n) {
		this.jdbc.queryForList("SELECT pgque.subscribe_slot(?, ?, ?, ?)", queue, consumer, slot, n);
	}

	int subscribeAll(String queue, String consumer, int n) {
		return this.jdbc.queryForObject("SELECT pgque.subscribe_slots(?, ?, ?)", Integer.class, queue, consumer, n);
	}

	void unsubscribe(String queue, String consumer, int slot) {
		this.jdbc.queryForList("SELECT pgque.unsubscribe_slot(?, ?, ?)", queue, consumer, slot);
	}

	@Nullable Long claim(String queue, String consumer, int slot, String worker) {
		return claim(queue, consumer, slot, worker, "30 seconds");
	}

	@Nullable Long claim(String queue, String consumer, int slot, @Nullable String worker, @Nullable String ttl) {
		return this.jdbc.queryForObject("SELECT pgque.claim_slot(?, ?, ?, ?, ?::interval)", Long.class, queue, consumer,
				slot, worker, ttl);
	}

	boolean release(String queue, String consumer, int slot, @Nullable String worker) {
		return this.jdbc.queryForObject("SELECT pgque.release_slot(?, ?, ?, ?)", Boolean.class, queue, consumer, slot,
				worker);
	}

	List<Message> receive(String queue, String consumer, int slot, int n, String worker) {
		return this.jdbc.query(RECEIVE, ApiSql.MESSAGE, queue, consumer, slot, n, worker, 1000);
	}

	/** Message and key of each received row. */
	List<Map<String, Object>> receiveRows(String queue, String consumer, int slot, int n, String worker) {
		return this.jdbc.queryForList(RECEIVE, queue, consumer, slot, n, worker, 1000);
	}

	int ack(String queue, String consumer, int slot, int n, String worker) {
		return this.jdbc.queryForObject("SELECT pgque.ack_partitioned(?, ?, ?, ?, ?)", Integer.class, queue, consumer,
				slot, n, worker);
	}

	int nack(String queue, String consumer, int slot, int n, String worker, long msgId, String retryAfter) {
		return this.jdbc.queryForObject(
				"SELECT pgque.nack_partitioned(?, ?, ?, ?, ?,"
						+ " ROW(?, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::pgque.message, ?::interval)",
				Integer.class, queue, consumer, slot, n, worker, msgId, retryAfter);
	}

	int slotOf(@Nullable String key, int n) {
		return this.jdbc.queryForObject("SELECT pgque._slot_of(?, ?)", Integer.class, key, n);
	}

	/** The status view's rows of one consumer, by slot. */
	List<Map<String, Object>> status(String queue, String consumer) {
		return this.jdbc.queryForList(
				"SELECT * FROM pgque.partition_slot_status WHERE queue_name = ? AND consumer = ? ORDER BY slot", queue,
				consumer);
	}

	static List<Message> receive(Connection connection, String queue, String consumer, int slot, int n, String worker)
			throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(RECEIVE)) {
			statement.setString(1, queue);
			statement.setString(2, consumer);
			statement.setInt(3, slot);
			statement.setInt(4, n);
			statement.setString(5, worker);
			statement.setInt(6, 1000);
			List<Message> messages = new ArrayList<>();
			try (ResultSet rs = statement.executeQuery()) {
				while (rs.next()) {
					messages.add(ApiSql.MESSAGE.mapRow(rs, messages.size()));
				}
			}
			return messages;
		}
	}

}
