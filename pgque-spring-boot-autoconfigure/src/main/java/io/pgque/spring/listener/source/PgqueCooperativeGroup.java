package io.pgque.spring.listener.source;

import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import io.pgque.spring.core.PgqueErrorTranslator;
import io.pgque.spring.core.PgqueInterval;
import io.pgque.spring.core.PgqueSql;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The SQL of a cooperative group, one (queue, consumer) whose batches are spread over
 * subconsumers (members): joining and leaving it, and finding the members that stopped
 * without leaving. Each call is a transaction of its own.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueCooperativeGroup {

	// members of the group whose last sign of life (a poll, a heartbeat, an ack) is
	// older than the given silence
	private final JdbcTemplate jdbc;

	private final String queue;

	private final String consumer;

	private final PgqueErrorTranslator errors = new PgqueErrorTranslator();

	/**
	 * Create the SQL of one group.
	 * @param dataSource the PgQue DataSource
	 * @param queue the queue
	 * @param consumer the consumer (the group's main name)
	 */
	public PgqueCooperativeGroup(DataSource dataSource, String queue, String consumer) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.queue = queue;
		this.consumer = consumer;
	}

	public String queue() {
		return this.queue;
	}

	public String consumer() {
		return this.consumer;
	}

	/**
	 * Join the group as a member, converting the consumer into a cooperative one if it is
	 * a plain (single-worker) consumer without an open batch; refreshes the member's sign
	 * of life.
	 * @param member the subconsumer name
	 * @return whether the member row was created
	 * @throws io.pgque.spring.PgqueException if the consumer is a single-worker consumer
	 * with a batch open (a worker of another instance is in it), or the name is refused
	 */
	public boolean join(String member) {
		Integer created = this.errors.call("join cooperative consumer", this.queue, this.consumer, null,
				() -> this.jdbc.queryForObject(PgqueSql.JOIN_GROUP, Integer.class, this.queue, this.consumer, member));
		return created != null && created == 1;
	}

	/**
	 * Leave the group, handing an open batch back: its events are retried (they come back
	 * to the group after the engine's retry delay of 60 s) or dead-lettered once out of
	 * retries. The last member to leave turns the consumer back into a plain one, with
	 * the group's cursor.
	 * @param member the subconsumer name
	 * @return whether the member was there
	 */
	public boolean leave(String member) {
		Integer removed = this.errors.call("leave cooperative consumer", this.queue, this.consumer, null,
				() -> this.jdbc.queryForObject(PgqueSql.LEAVE_GROUP, Integer.class, this.queue, this.consumer, member));
		return removed != null && removed == 1;
	}

	/**
	 * The members that gave no sign of life for longer than {@code silence}.
	 * @param silence how long
	 * @return their subconsumer names
	 */
	public List<String> silentMembers(Duration silence) {
		return this.errors.call("list cooperative members", this.queue, this.consumer, null,
				() -> this.jdbc.queryForList(PgqueSql.SILENT_MEMBERS, String.class, this.consumer, this.consumer,
						this.queue, PgqueInterval.of(silence)));
	}

}
