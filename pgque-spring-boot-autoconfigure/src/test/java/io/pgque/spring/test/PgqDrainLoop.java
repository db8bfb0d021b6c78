package io.pgque.spring.test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;

/**
 * The raw-SQL baseline of the benchmarks: a consumer loop of the PgQ API as a client
 * would write it, on one connection, until no batch is left.
 */
public final class PgqDrainLoop {

	private PgqDrainLoop() {
	}

	/**
	 * Drain a consumer: {@code next_batch} → {@code get_batch_events} reading every
	 * column of every row → {@code finish_batch} → commit, per batch.
	 * @param connection the connection, not in auto-commit mode
	 * @param schema the engine's schema ({@code pgque}, or {@code pgq} for upstream PgQ)
	 * @param queue the queue
	 * @param consumer the consumer
	 * @return the number of events read
	 * @throws SQLException on a database error
	 */
	public static long drain(Connection connection, String schema, String queue, String consumer) throws SQLException {
		long count = 0;
		try (PreparedStatement next = connection.prepareStatement("SELECT " + schema + ".next_batch(?, ?)");
				PreparedStatement events = connection.prepareStatement("""
						SELECT ev_id, ev_time, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
						FROM %s.get_batch_events(?) ORDER BY ev_id""".formatted(schema));
				PreparedStatement finish = connection.prepareStatement("SELECT " + schema + ".finish_batch(?)")) {
			next.setString(1, queue);
			next.setString(2, consumer);
			while (true) {
				long batchId;
				try (ResultSet rs = next.executeQuery()) {
					rs.next();
					batchId = rs.getLong(1);
					if (rs.wasNull()) {
						connection.commit();
						return count;
					}
				}
				events.setLong(1, batchId);
				try (ResultSet rs = events.executeQuery()) {
					while (rs.next()) {
						rs.getLong(1);
						rs.getObject(2, OffsetDateTime.class);
						rs.getInt(3);
						for (int column = 4; column <= 9; column++) {
							rs.getString(column);
						}
						count++;
					}
				}
				finish.setLong(1, batchId);
				finish.executeQuery().close();
				connection.commit();
			}
		}
	}

}
