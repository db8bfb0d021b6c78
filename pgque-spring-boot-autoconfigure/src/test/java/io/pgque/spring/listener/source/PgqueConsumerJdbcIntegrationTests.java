package io.pgque.spring.listener.source;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

import javax.sql.DataSource;

import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.test.PgqueTestDatabase;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * {@link PgqueConsumerJdbc}: one statement opens the batch and reads all of it, and only
 * while the lease is held; dead-lettering works on this engine and on upstream PgQue's.
 */
class PgqueConsumerJdbcIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final JdbcTemplate jdbc = db.jdbc();

	private final TransactionTemplate transactions = new TransactionTemplate(
			new DataSourceTransactionManager(db.dataSource()));

	@Test
	void openWithoutNewTickGivesNothing() {
		PgqueConsumerJdbc consumer = subscribed("nothing");
		assertThat(openInTransaction(consumer)).isNull();
	}

	@Test
	void openReadsEveryEventOfTheBatchInIdOrder() {
		PgqueConsumerJdbc consumer = subscribed("every");
		List<Long> ids = this.jdbc
			.queryForList("SELECT pgque.insert_event('every', 'order', 'p' || i, 'x' || i, NULL, NULL, 'y' || i)"
					+ " FROM generate_series(1, 700) i ORDER BY i", Long.class);
		tick("every");
		PgqueOpenBatch batch = this.transactions.execute((status) -> consumer.open(null));
		assertThat(batch).isNotNull();
		assertThat(batch.messages()).extracting(PgqueMessage::id).containsExactlyElementsOf(ids);
		PgqueMessage first = batch.messages().get(0);
		assertThat(first.batchId()).isEqualTo(batch.id());
		assertThat(first.type()).isEqualTo("order");
		assertThat(first.payload()).isEqualTo("p1");
		assertThat(first.extra1()).isEqualTo("x1");
		assertThat(first.extra2()).isNull();
		assertThat(first.extra4()).isEqualTo("y1");
		assertThat(first.retryCount()).isNull();
		assertThat(first.createdAt())
			.isEqualTo(this.jdbc.queryForObject("SELECT ev_time FROM pgque.get_batch_events(?) WHERE ev_id = ?",
					OffsetDateTime.class, batch.id(), first.id()));
	}

	@Test
	void openAfterARollbackGivesTheSameEventsAgain() {
		PgqueConsumerJdbc consumer = subscribed("again");
		this.jdbc.queryForObject("SELECT pgque.insert_event('again', 't', 'one')", Long.class);
		tick("again");
		PgqueOpenBatch first = this.transactions.execute((status) -> {
			status.setRollbackOnly();
			return consumer.open(null);
		});
		PgqueOpenBatch second = openInTransaction(consumer);
		assertThat(second.messages()).extracting(PgqueMessage::id, PgqueMessage::payload)
			.containsExactlyElementsOf(first.messages().stream().map((m) -> tuple(m.id(), m.payload())).toList());
	}

	@Test
	void openGivesAnEmptyBatchThatCanBeFinished() {
		PgqueConsumerJdbc consumer = subscribed("empty");
		tick("empty");
		PgqueOpenBatch batch = this.transactions.execute((status) -> {
			PgqueOpenBatch opened = consumer.open(null);
			assertThat(opened).isNotNull();
			assertThat(consumer.finish(opened.id())).isTrue();
			return opened;
		});
		assertThat(batch.messages()).isEmpty();
		assertThat(openInTransaction(consumer)).isNull();
	}

	// rounded like PgqueTemplate.nack (to 2 s), not truncated (to 1 s)
	@Test
	void nackAsksForTheDelayRoundedToWholeSeconds() {
		PgqueConsumerJdbc consumer = subscribed("later");
		long event = this.jdbc.queryForObject("SELECT pgque.insert_event('later', 't', 'one')", Long.class);
		tick("later");
		this.transactions.executeWithoutResult((status) -> {
			PgqueOpenBatch batch = consumer.open(null);
			assertThat(batch).isNotNull();
			consumer.nack(batch.id(), event, Duration.ofMillis(1700), null);
			assertThat(this.jdbc.queryForObject(
					"SELECT extract(epoch FROM ev_retry_after - now())" + " FROM pgque.retry_queue WHERE ev_id = ?",
					Double.class, event))
				.isEqualTo(2.0);
			status.setRollbackOnly();
		});
	}

	@Test
	void deadLetterMovesTheEventToTheDeadLetterTable() {
		assertDeadLettered("dead", false);
	}

	// upstream PgQue (validate and patch modes) has no get_batch_event
	@Test
	void deadLetterWorksOnAnEngineWithoutGetBatchEvent() {
		assertDeadLettered("upstream", true);
	}

	private void assertDeadLettered(String queue, boolean withoutGetBatchEvent) {
		PgqueConsumerJdbc consumer = subscribed(queue);
		this.jdbc.queryForObject("SELECT pgque.insert_event(?, 't', 'one')", Long.class, queue);
		long poison = this.jdbc.queryForObject("SELECT pgque.insert_event(?, 't', 'poison')", Long.class, queue);
		tick(queue);
		this.transactions.executeWithoutResult((status) -> {
			// DDL is transactional: the function is back after the rollback
			status.setRollbackOnly();
			if (withoutGetBatchEvent) {
				this.jdbc.execute("DROP FUNCTION pgque.get_batch_event(bigint, bigint)");
			}
			PgqueOpenBatch batch = consumer.open(null);
			assertThat(batch).isNotNull();
			consumer.deadLetter(batch.id(), poison, "bad payload");
			assertThat(this.jdbc.queryForList("SELECT ev_id, ev_data, dl_reason FROM pgque.dead_letter"
					+ " WHERE dl_queue_id = (SELECT queue_id FROM pgque.queue WHERE queue_name = ?)", queue))
				.extracting((row) -> tuple(row.get("ev_id"), row.get("ev_data"), row.get("dl_reason")))
				.containsExactly(tuple(poison, "poison", "bad payload"));
		});
	}

	@Test
	void openWhileTheLeaseIsHeldOpensTheBatch() throws Exception {
		PgqueConsumerJdbc consumer = subscribed("leased");
		this.jdbc.queryForObject("SELECT pgque.insert_event('leased', 't', 'one')", Long.class);
		tick("leased");
		try (PgqueLeaseManager leases = new PgqueLeaseManager(db.dataSource())) {
			PgqueLease lease = leases.lease("leased", "c");
			assertThat(lease.tryAcquire()).isTrue();
			PgqueOpenBatch batch = this.transactions.execute((status) -> consumer.open(lease));
			assertThat(batch).isNotNull();
			assertThat(batch.messages()).hasSize(1);
		}
	}

	@Test
	void openAfterTheLeaseSessionDiedThrowsAndOpensNothing() throws Exception {
		PgqueConsumerJdbc consumer = subscribed("lost");
		this.jdbc.queryForObject("SELECT pgque.insert_event('lost', 't', 'one')", Long.class);
		tick("lost");
		try (PgqueLeaseManager leases = new PgqueLeaseManager(ownConnections())) {
			PgqueLease lease = leases.lease("lost", "c");
			assertThat(lease.tryAcquire()).isTrue();
			terminateLeaseSessions();
			assertOpenThrowsLeaseLost(consumer, lease);
		}
		assertThat(openBatches("lost")).isZero();
	}

	@Test
	void openAfterTheLeasePassedToAnotherSessionThrowsAndOpensNothing() throws Exception {
		PgqueConsumerJdbc consumer = subscribed("taken");
		this.jdbc.queryForObject("SELECT pgque.insert_event('taken', 't', 'one')", Long.class);
		tick("taken");
		try (PgqueLeaseManager first = new PgqueLeaseManager(ownConnections());
				PgqueLeaseManager second = new PgqueLeaseManager(ownConnections())) {
			PgqueLease lease = first.lease("taken", "c");
			assertThat(lease.tryAcquire()).isTrue();
			terminateLeaseSessions();
			PgqueLease successor = second.lease("taken", "c");
			assertThat(successor.tryAcquire()).isTrue();
			// the lock of (queue, consumer) is held again, but not by the first lease
			assertOpenThrowsLeaseLost(consumer, lease);
			assertThat(openInTransaction(consumer, successor)).isNotNull();
		}
	}

	private void assertOpenThrowsLeaseLost(PgqueConsumerJdbc consumer, PgqueLease lease) {
		String queue = consumer.queue();
		// the transaction commits, so a batch the statement opened would stay open
		this.transactions.executeWithoutResult((status) -> assertThatExceptionOfType(PgqueLeaseLostException.class)
			.isThrownBy(() -> consumer.open(lease))
			.withMessage("Lease of " + queue + "/c is no longer held"));
		assertThat(lease.isAcquired()).isFalse();
		assertThat(openBatches(queue)).isZero();
	}

	private int openBatches(String queue) {
		return this.jdbc.queryForObject("""
				SELECT count(*) FROM pgque.subscription s JOIN pgque.queue q ON q.queue_id = s.sub_queue
				WHERE q.queue_name = ? AND s.sub_batch IS NOT NULL""", Integer.class, queue);
	}

	// connections of their own, so that the ones terminated are not handed out again
	private static DataSource ownConnections() {
		return new DriverManagerDataSource(db.jdbcUrl(), db.user(), db.password());
	}

	// pg_terminate_backend only signals: wait until the sessions are gone, and their
	// locks with them
	private void terminateLeaseSessions() {
		this.jdbc.queryForObject("""
				SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE datname = current_database() AND application_name = 'pgque-lease'""", Integer.class);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.jdbc.queryForObject("""
				SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND application_name = 'pgque-lease'""", Integer.class) == 0);
	}

	private PgqueOpenBatch openInTransaction(PgqueConsumerJdbc consumer) {
		return openInTransaction(consumer, null);
	}

	private PgqueOpenBatch openInTransaction(PgqueConsumerJdbc consumer, @Nullable PgqueLease lease) {
		return this.transactions.execute((status) -> consumer.open(lease));
	}

	private PgqueConsumerJdbc subscribed(String queue) {
		this.jdbc.queryForObject("SELECT pgque.create_queue(?)", Integer.class, queue);
		this.jdbc.queryForObject("SELECT pgque.register_consumer(?, 'c')", Integer.class, queue);
		return new PgqueConsumerJdbc(db.dataSource(), queue, "c");
	}

	private void tick(String queue) {
		this.jdbc.queryForObject("SELECT pgque.force_next_tick(?)", Long.class, queue);
		this.jdbc.queryForObject("SELECT pgque.ticker(?)", Long.class, queue);
	}

}
