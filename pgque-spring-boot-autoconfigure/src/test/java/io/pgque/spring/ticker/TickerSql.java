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
		this.jdbc.update("UPDATE pgque.queue SET queue_ticker_max_count = 1 WHERE queue_name = ?", queue);
		this.jdbc.queryForObject("SELECT pgque.register_consumer(?, ?)", Integer.class, queue, consumer);
		// A new sequence reports last_value 1 before and after its first nextval, so the
		// ticker cannot see a new queue's first event by count (only by max_lag, ~3 s).
		// Using up the first value makes the first event count like any other.
		this.jdbc.queryForObject("SELECT nextval(queue_event_seq) FROM pgque.queue WHERE queue_name = ?", Long.class,
				queue);
	}

	long send(String queue, String payload) {
		Long id = this.jdbc.queryForObject("SELECT pgque.insert_event(?, 'default', ?)", Long.class, queue, payload);
		return (id != null) ? id : -1;
	}

	long tickCount(String queue) {
		Long count = this.jdbc.queryForObject("SELECT count(*) FROM pgque.tick t JOIN pgque.queue q "
				+ "ON q.queue_id = t.tick_queue WHERE q.queue_name = ?", Long.class, queue);
		return (count != null) ? count : 0;
	}

	/**
	 * Take the next batch and finish it in one transaction (the PgQ primitives under
	 * receive and ack).
	 * @return the batch's events
	 */
	List<Received> receiveAndAck(String queue, String consumer) {
		return inTransaction((connection) -> {
			List<Received> received = new ArrayList<>();
			Long batch = null;
			try (PreparedStatement next = connection.prepareStatement("SELECT pgque.next_batch(?, ?)")) {
				next.setString(1, queue);
				next.setString(2, consumer);
				try (ResultSet rows = next.executeQuery()) {
					if (rows.next()) {
						long id = rows.getLong(1);
						batch = rows.wasNull() ? null : id;
					}
				}
			}
			if (batch == null) {
				return received;
			}
			try (PreparedStatement events = connection
				.prepareStatement("SELECT ev_id, ev_data, ev_retry FROM pgque.get_batch_events(?)")) {
				events.setLong(1, batch);
				try (ResultSet rows = events.executeQuery()) {
					while (rows.next()) {
						received.add(new Received(rows.getLong(1), rows.getString(2), rows.getInt(3)));
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
			try (PreparedStatement ack = connection.prepareStatement("SELECT pgque.finish_batch(?)")) {
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
