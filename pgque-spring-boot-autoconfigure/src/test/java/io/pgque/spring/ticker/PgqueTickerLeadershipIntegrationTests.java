package io.pgque.spring.ticker;

import java.time.Duration;
import java.util.List;

import io.pgque.spring.autoconfigure.PgqueAutoConfiguration;
import io.pgque.spring.autoconfigure.PgqueTickerAutoConfiguration;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two application instances on one database: exactly one ticks, and the other takes over
 * when the leader goes away.
 */
class PgqueTickerLeadershipIntegrationTests {

	private static final Duration TAKEOVER_INTERVAL = Duration.ofMillis(500);

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final TickerSql sql = new TickerSql(db.jdbc());

	private ApplicationContextRunner instance(String name) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgqueAutoConfiguration.class,
					PgqueTickerAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + db.jdbcUrl(), "spring.datasource.username=" + db.user(),
					"spring.datasource.password=" + db.password(),
					// tells the two instances' sessions apart in pg_stat_activity
					"spring.datasource.hikari.data-source-properties.ApplicationName=" + name,
					"spring.datasource.hikari.pool-name=" + name, "pgque.schema.mode=none",
					"pgque.ticker.mode=embedded", "pgque.ticker.tick-period=50ms",
					"pgque.ticker.takeover-interval=" + TAKEOVER_INTERVAL.toMillis() + "ms");
	}

	@Test
	void runWhenTheLeadersSessionIsKilledShouldKeepTickingWithinTheTakeoverInterval() {
		this.sql.createQueue("payments", "ledger");
		instance("instance-a").run((a) -> instance("instance-b").run((b) -> {
			PgqueTicker tickerA = a.getBean(PgqueTicker.class);
			PgqueTicker tickerB = b.getBean(PgqueTicker.class);
			await().atMost(Duration.ofSeconds(5)).until(() -> tickerA.isLeader() || tickerB.isLeader());
			Integer killed = db.jdbc()
				.queryForObject(
						"SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' "
								+ "AND classid = ? AND objid = ? AND granted",
						Integer.class, PgqueTickerLeadership.LOCK_CLASS_ID, PgqueTickerLeadership.LOCK_OBJECT_ID);
			assertThat(killed).isOne();
			long killedAt = System.nanoTime();
			// one of the two (the old leader reconnecting, or the standby) leads again
			await().atMost(TAKEOVER_INTERVAL.plusSeconds(2)).until(() -> lockHolders().size() == 1);
			System.out.println("Leader again after its session was killed: "
					+ Duration.ofNanos(System.nanoTime() - killedAt).toMillis() + " ms");
			assertThat(tickerA.isLeader() && tickerB.isLeader()).isFalse();
			long ticks = this.sql.tickCount("payments");
			this.sql.send("payments", "after the kill");
			await().atMost(Duration.ofSeconds(2)).until(() -> this.sql.tickCount("payments") > ticks);
		}));
	}

	@Test
	void exactlyOneInstanceTicksAndTheOtherTakesOverWhenItCloses() {
		this.sql.createQueue("orders", "billing");
		instance("instance-a").run((a) -> instance("instance-b").run((b) -> {
			PgqueTicker tickerA = a.getBean(PgqueTicker.class);
			PgqueTicker tickerB = b.getBean(PgqueTicker.class);
			await().atMost(Duration.ofSeconds(5)).until(() -> tickerA.isLeader() || tickerB.isLeader());
			for (int i = 0; i < 10; i++) {
				assertThat(tickerA.isLeader()).isNotEqualTo(tickerB.isLeader());
				Thread.sleep(TAKEOVER_INTERVAL.toMillis() / 5);
			}
			boolean aLeads = tickerA.isLeader();
			String leaderName = aLeads ? "instance-a" : "instance-b";
			PgqueTicker leader = aLeads ? tickerA : tickerB;
			PgqueTicker standby = aLeads ? tickerB : tickerA;
			AssertableApplicationContext leaderContext = aLeads ? a : b;

			// the advisory lock is held once, by a session of the leader
			assertThat(lockHolders()).containsExactly(leaderName);

			// ticks are made, and only by the leader
			long ticks = this.sql.tickCount("orders");
			this.sql.send("orders", "one");
			await().atMost(Duration.ofSeconds(2)).until(() -> this.sql.tickCount("orders") > ticks);
			assertThat(leader.getLastTick()).isNotNull();
			assertThat(standby.getLastTick()).isNull();
			for (int i = 0; i < 10; i++) {
				assertThat(applicationsRunningTickerQueries()).isSubsetOf(leaderName);
				Thread.sleep(20);
			}

			// the leader goes away: the standby takes over within the takeover interval
			long closed = System.nanoTime();
			leaderContext.close();
			await().atMost(TAKEOVER_INTERVAL.plusSeconds(1)).until(standby::isLeader);
			Duration takeover = Duration.ofNanos(System.nanoTime() - closed);
			System.out.println("Ticker takeover after the leader closed: " + takeover.toMillis() + " ms");
			assertThat(takeover).isLessThanOrEqualTo(TAKEOVER_INTERVAL.plusMillis(500));
			assertThat(lockHolders()).containsExactly(aLeads ? "instance-b" : "instance-a");
			long ticksAfterTakeover = this.sql.tickCount("orders");
			this.sql.send("orders", "two");
			await().atMost(Duration.ofSeconds(2)).until(() -> this.sql.tickCount("orders") > ticksAfterTakeover);
		}));
	}

	private List<String> lockHolders() {
		return db.jdbc()
			.queryForList(
					"SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
							+ "WHERE l.locktype = 'advisory' AND l.classid = ? AND l.objid = ? AND l.granted "
							+ "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
					String.class, PgqueTickerLeadership.LOCK_CLASS_ID, PgqueTickerLeadership.LOCK_OBJECT_ID);
	}

	private List<String> applicationsRunningTickerQueries() {
		return db.jdbc()
			.queryForList("SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = current_database() "
					+ "AND (query LIKE 'SELECT pgque.ticker()%' OR query LIKE 'SELECT pgque.maint%') "
					+ "AND pid <> pg_backend_pid()", String.class);
	}

}
