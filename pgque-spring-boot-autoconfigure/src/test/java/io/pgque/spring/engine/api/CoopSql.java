package io.pgque.spring.engine.api;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Calls into the cooperative-consumer SQL API for tests, each committing alone.
 */
final class CoopSql {

	static final String RECEIVE_COOP = "SELECT msg_id, batch_id, type, payload, retry_count, created_at"
			+ " FROM pgque.receive_coop(?, ?, ?, ?, ?::interval)";

	private final JdbcTemplate jdbc;

	CoopSql(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	int register(String queue, String consumer, String sub) {
		return this.jdbc.queryForObject("SELECT pgque.register_subconsumer(?, ?, ?)", Integer.class, queue, consumer,
				sub);
	}

	int convert(String queue, String consumer, String sub) {
		return this.jdbc.queryForObject("SELECT pgque.register_subconsumer(?, ?, ?, true)", Integer.class, queue,
				consumer, sub);
	}

	int unregister(String queue, String consumer, String sub, @Nullable Integer batchHandling) {
		return this.jdbc.queryForObject("SELECT pgque.unregister_subconsumer(?, ?, ?, ?)", Integer.class, queue,
				consumer, sub, batchHandling);
	}

	List<ApiSql.Message> receive(String queue, String consumer, String sub) {
		return receive(queue, consumer, sub, null);
	}

	List<ApiSql.Message> receive(String queue, String consumer, String sub, @Nullable String deadInterval) {
		return this.jdbc.query(RECEIVE_COOP, ApiSql.MESSAGE, queue, consumer, sub, 1000, deadInterval);
	}

	@Nullable Long nextBatch(String queue, String consumer, String sub, @Nullable String deadInterval) {
		return this.jdbc.queryForObject("SELECT pgque.next_batch(?, ?, ?, ?::interval)", Long.class, queue, consumer,
				sub, deadInterval);
	}

	int touch(String queue, String consumer, String sub) {
		return this.jdbc.queryForObject("SELECT pgque.touch_subconsumer(?, ?, ?)", Integer.class, queue, consumer, sub);
	}

	/** Ages a member's last activity, as if it had been silent for the given seconds. */
	void silence(String queue, String member, int seconds) {
		this.jdbc.update("UPDATE pgque.subscription s SET sub_active = now() - make_interval(secs => ?)"
				+ " FROM pgque.queue q, pgque.consumer c WHERE q.queue_name = ? AND c.co_name = ?"
				+ " AND s.sub_queue = q.queue_id AND s.sub_consumer = c.co_id", seconds, queue, member);
	}

	/**
	 * The subscription row of a consumer name on a queue, or an empty map.
	 * @param queue the queue
	 * @param name the consumer name ({@code c} or {@code c.s})
	 * @return sub_id, sub_role, sub_last_tick, sub_next_tick, sub_batch, sub_active
	 */
	Map<String, Object> row(String queue, String name) {
		return this.jdbc
			.queryForList("SELECT s.sub_id, s.sub_role, s.sub_last_tick, s.sub_next_tick, s.sub_batch, s.sub_active"
					+ " FROM pgque.subscription s JOIN pgque.queue q ON q.queue_id = s.sub_queue"
					+ " JOIN pgque.consumer c ON c.co_id = s.sub_consumer WHERE q.queue_name = ? AND c.co_name = ?",
					queue, name)
			.stream()
			.findFirst()
			.orElse(Map.of());
	}

	boolean consumerExists(String name) {
		return this.jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM pgque.consumer WHERE co_name = ?)", Boolean.class,
				name);
	}

}
