package io.pgque.spring.pooler;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.zaxxer.hikari.HikariDataSource;
import io.pgque.spring.lease.PgqueLeaseMode;
import io.pgque.spring.listener.PgqueListenerContainer;
import io.pgque.spring.listener.PgqueListenerContainerRegistry;
import io.pgque.spring.listener.source.PgqueLeaseManager;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;

import static io.pgque.spring.pooler.PoolerTestApp.tracker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 20: a login with no PgQue role holds an advisory lock on every key it can compute
 * (the consumer's lease key, the ticker leadership key, a queue's tick key). With
 * {@code pgque.lease.mode=auto} the application sees that such a login may connect and
 * keeps its leases in {@code pgque.lease}: the ticker still ticks, the listener still
 * delivers. The same application forced to advisory leases stalls, which is what the
 * table lease prevents.
 */
@Timeout(120)
class PgqueStrangerAdvisoryLocksIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	// PgqueTickerLeadership's two-key advisory lock ('pgqu', 1) and the engine's
	// per-queue
	// tick lock class (030-ticker.sql)
	private static final int TICKER_LOCK_CLASS = 0x70677175;

	private static final int TICK_LOCK_CLASS = 1885828980;

	private final JdbcTemplate jdbc = db.jdbc();

	private final List<HikariDataSource> pools = new CopyOnWriteArrayList<>();

	private String stranger;

	private Connection strangerSession;

	@BeforeEach
	void strangerHoldsEveryKey() throws Exception {
		this.stranger = "stranger_" + UUID.randomUUID().toString().substring(0, 8);
		this.jdbc.execute("CREATE ROLE " + this.stranger + " LOGIN PASSWORD 'x'");
		this.jdbc.execute("GRANT CONNECT ON DATABASE " + db.name() + " TO " + this.stranger);
		for (String queue : List.of("guarded", "forced", "victim")) {
			PoolerTestApp.prepare(this.jdbc, queue);
		}
		this.jdbc.execute("GRANT ALL ON results TO PUBLIC");
		this.strangerSession = DriverManager.getConnection(db.jdbcUrl(), this.stranger, "x");
		lock("SELECT pg_advisory_lock(?::int, 1)", TICKER_LOCK_CLASS);
		for (String queue : List.of("guarded", "forced", "victim")) {
			lock("SELECT pg_advisory_lock(?)", PgqueLeaseManager.key(queue, "workers"));
		}
		// queue ids are a sequence anyone can guess; the victim's tick key is held
		lock("SELECT pg_advisory_lock(" + TICK_LOCK_CLASS + ", ?::int)",
				this.jdbc.queryForObject("SELECT queue_id FROM pgque.queue WHERE queue_name = 'victim'", Long.class));
	}

	private void lock(String sql, long key) throws Exception {
		try (PreparedStatement statement = this.strangerSession.prepareStatement(sql)) {
			statement.setLong(1, key);
			statement.executeQuery().close();
		}
	}

	@AfterEach
	void dropStranger() throws Exception {
		this.pools.forEach(HikariDataSource::close);
		this.strangerSession.close();
		this.jdbc.execute("DROP OWNED BY " + this.stranger);
		this.jdbc.execute("DROP ROLE " + this.stranger);
		tracker.reset();
	}

	@Test
	void runWhenALoginWithoutAPgqueRoleHoldsEveryAdvisoryKeyShouldStillTickAndDeliver() {
		PoolerTestApp.context(db, db.jdbcUrl(), 1, "guarded", this.pools, true)
			.withPropertyValues("pgque.lease.mode=auto")
			.run((context) -> {
				assertThat(context.getBean(PgqueLeaseManager.class).mode()).isEqualTo(PgqueLeaseMode.TABLE);
				PoolerTestApp.insert(this.jdbc, "guarded", 10);
				PoolerTestApp.insert(this.jdbc, "victim", 1);
				// no manual tick: the embedded ticker has to lead and tick
				await().atMost(Duration.ofSeconds(30)).until(() -> PoolerTestApp.committed(this.jdbc, "guarded") == 10);
			});
		assertThat(PoolerTestApp.rowsAndDistinct(this.jdbc, "guarded")).isEqualTo("10/10");
	}

	@Test
	void runWhenForcedToAdvisoryLeasesShouldStallBehindTheStranger() throws Exception {
		PoolerTestApp.context(db, db.jdbcUrl(), 1, "forced", this.pools, false)
			.withPropertyValues("pgque.lease.mode=advisory")
			.run((context) -> {
				PoolerTestApp.insert(this.jdbc, "forced", 10);
				PoolerTestApp.tick(this.jdbc, "forced");
				Thread.sleep(3000);
				assertThat(context.getBean(PgqueListenerContainerRegistry.class)
					.getListenerContainers()
					.stream()
					.noneMatch(PgqueListenerContainer::hasLease)).isTrue();
				assertThat(PoolerTestApp.committed(this.jdbc, "forced")).isZero();
			});
	}

}
