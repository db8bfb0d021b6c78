package io.pgque.spring.listener.source;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import io.pgque.spring.core.PgqueSql;

/**
 * Tells the engine that cooperative members are alive ({@code touch_subconsumer}), on a
 * session connection of its own: never the pooled connection a member's batch transaction
 * runs on, which is busy (or blocked) exactly while the batch is long. A member whose
 * heartbeat stops is taken for dead once the dead interval passes, and its open batch
 * goes to the next member that asks.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueMemberHeartbeat implements AutoCloseable {

	private final PgqueLeaseConnection connection;

	/**
	 * Create a heartbeat.
	 * @param dataSource where to open its session connection (outside the pool when it
	 * can be)
	 */
	public PgqueMemberHeartbeat(DataSource dataSource) {
		this.connection = new PgqueLeaseConnection(dataSource, "pgque-heartbeat");
	}

	/**
	 * Refresh the sign of life of members of one group.
	 * @param queue the queue
	 * @param consumer the consumer
	 * @param members the subconsumer names
	 * @return the members the engine does not know (removed, or not joined yet)
	 * @throws SQLException if the database cannot be reached
	 */
	public List<String> touch(String queue, String consumer, List<String> members) throws SQLException {
		return this.connection.use((con, generation) -> {
			List<String> missing = new ArrayList<>();
			try (PreparedStatement st = con.prepareStatement(PgqueSql.TOUCH_MEMBERS)) {
				Array names = con.createArrayOf("text", members.toArray());
				st.setArray(1, names);
				st.setString(2, queue);
				st.setString(3, consumer);
				try (ResultSet rs = st.executeQuery()) {
					while (rs.next()) {
						missing.add(rs.getString(1));
					}
				}
			}
			return missing;
		});
	}

	@Override
	public void close() {
		this.connection.close();
	}

}
