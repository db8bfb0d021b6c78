package io.pgque.spring.ticker;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The engine calls the ticker tests make, in plain SQL through a JdbcTemplate (each
 * statement commits alone).
 */
final class TickerSql {

	private final JdbcTemplate jdbc;

	TickerSql(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Create a queue that ticks as soon as one event waits (ticker_max_count = 1), so
	 * that latency depends on the tick period alone, and subscribe a consumer.
	 */
	void createQueue(String queue, String consumer) {
		this.jdbc.queryForObject("SELECT pgque.create_queue(?)", Integer.class, queue);
		this.jdbc.queryForObject("SELECT pgque.set_queue_config(?, 'ticker_max_count', '1')", Integer.class, queue);
		this.jdbc.queryForObject("SELECT pgque.subscribe(?, ?)", Integer.class, queue, consumer);
	}

	long send(String queue, String payload) {
		Long id = this.jdbc.queryForObject("SELECT pgque.send(?, ?::text)", Long.class, queue, payload);
		return (id != null) ? id : -1;
	}

	long tickCount(String queue) {
		Long count = this.jdbc.queryForObject("SELECT count(*) FROM pgque.tick t JOIN pgque.queue q "
				+ "ON q.queue_id = t.tick_queue WHERE q.queue_name = ?", Long.class, queue);
		return (count != null) ? count : 0;
	}

	/**
	 * Receive one batch and ack it in one transaction.
	 * @return the batch's messages
	 */
	List<Received> receiveAndAck(String queue, String consumer) {
		return inTransaction((connection) -> {
			List<Received> received = new ArrayList<>();
			Long batch = null;
			try (PreparedStatement statement = connection
				.prepareStatement("SELECT batch_id, msg_id, payload, retry_count FROM pgque.receive(?, ?, 10000)")) {
				statement.setString(1, queue);
				statement.setString(2, consumer);
				try (ResultSet rows = statement.executeQuery()) {
					while (rows.next()) {
						batch = rows.getLong(1);
						received.add(new Received(rows.getLong(2), rows.getString(3), rows.getInt(4)));
					}
				}
			}
			ack(connection, batch);
			return received;
		});
	}

	/**
	 * Receive one batch, nack every message with the given retry delay and ack the batch,
	 * in one transaction.
	 * @return how many messages were nacked
	 */
	int receiveAndNackAll(String queue, String consumer, int retrySeconds) {
		return inTransaction((connection) -> {
			int nacked = 0;
			Long batch = null;
			try (PreparedStatement statement = connection.prepareStatement("SELECT m.batch_id, "
					+ "pgque.nack(m.batch_id, m, make_interval(secs => ?)) FROM pgque.receive(?, ?, 10000) m")) {
				statement.setInt(1, retrySeconds);
				statement.setString(2, queue);
				statement.setString(3, consumer);
				try (ResultSet rows = statement.executeQuery()) {
					while (rows.next()) {
						batch = rows.getLong(1);
						nacked++;
					}
				}
			}
			ack(connection, batch);
			return nacked;
		});
	}

	private static void ack(Connection connection, @Nullable Long batch) throws SQLException {
		if (batch != null) {
			try (PreparedStatement ack = connection.prepareStatement("SELECT pgque.ack(?)")) {
				ack.setLong(1, batch);
				ack.execute();
			}
		}
	}

	private <T> T inTransaction(ConnectionCallback<T> work) {
		T result = this.jdbc.execute((Connection connection) -> {
			connection.setAutoCommit(false);
			try {
				T value = work.doInConnection(connection);
				connection.commit();
				return value;
			}
			catch (SQLException | RuntimeException ex) {
				connection.rollback();
				throw ex;
			}
			finally {
				connection.setAutoCommit(true);
			}
		});
		if (result == null) {
			throw new IllegalStateException("no result");
		}
		return result;
	}

	record Received(long id, String payload, int retryCount) {

	}

}
