package io.pgque.spring.pooler;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import io.pgque.spring.lease.PgqueLeaseMode;
import io.pgque.spring.listener.source.PgqueLeaseManager;
import io.pgque.spring.test.PgBouncer;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import static io.pgque.spring.pooler.PoolerTestApp.tracker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Leases and wake-ups through a real PgBouncer in transaction mode (the table lease, as
 * {@code auto} picks there), and the same suite with the advisory lease on direct
 * connections: three applications, exactly once, one worker at a time; a killed holder
 * replaced within the lease's expiry; a worker fenced after its lease expired while it
 * hung. Figures are printed with the prefix {@code POOLER}.
 */
@Tag("pooler")
@Timeout(300)
class PgqueLeasePoolerIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private static final Duration TTL = Duration.ofSeconds(3);

	private static final Duration RETRY = Duration.ofMillis(200);

	private final List<HikariDataSource> pools = new CopyOnWriteArrayList<>();

	private final List<PgBouncer> bouncers = new CopyOnWriteArrayList<>();

	private final JdbcTemplate jdbc = db.jdbc();

	enum Setup {

		/** PgBouncer in transaction mode, lease mode auto (which must pick table). */
		TABLE_THROUGH_PGBOUNCER,

		/** Direct connections, advisory lease. */
		ADVISORY_DIRECT

	}

	@AfterEach
	void cleanUp() {
		this.pools.forEach(HikariDataSource::close);
		this.bouncers.forEach(PgBouncer::close);
		tracker.reset();
	}

	@ParameterizedTest
	@EnumSource(Setup.class)
	void runWhenThreeApplicationsShareAConsumerShouldHandleEveryEventExactlyOnceOneWorkerAtATime(Setup setup)
			throws Exception {
		String queue = "three_" + setup.name().toLowerCase();
		PoolerTestApp.prepare(this.jdbc, queue);
		// 3 applications x (4 pooled + lease + ticker) client connections on 3 server
		// connections
		PgBouncer bouncer = (setup == Setup.TABLE_THROUGH_PGBOUNCER) ? bouncer("transaction", 3) : null;
		String url = (bouncer != null) ? bouncer.jdbcUrl(db.name()) : db.jdbcUrl();
		int total = 20_000;
		long started = System.nanoTime();
		app(setup, url, 1, queue, true)
			.run((c1) -> app(setup, url, 2, queue, true).run((c2) -> app(setup, url, 3, queue, true).run((c3) -> {
				assertThat(c1.getBean(PgqueLeaseManager.class).mode()).isEqualTo(expectedMode(setup));
				for (int sent = 0; sent < total; sent += 1000) {
					PoolerTestApp.insert(this.jdbc, queue, 1000);
				}
				// hand over once on the way: close the first holder after a third
				await().atMost(Duration.ofSeconds(150))
					.until(() -> PoolerTestApp.committed(this.jdbc, queue) >= total / 3);
				int holder = tracker.leaseHolders.get(0);
				((holder == 1) ? c1 : (holder == 2) ? c2 : c3).close();
				await().atMost(Duration.ofSeconds(150)).until(() -> PoolerTestApp.committed(this.jdbc, queue) >= total);
				assertThat(tracker.leaseHolders).as("applications that held the lease while events flowed")
					.hasSize(2)
					.doesNotHaveDuplicates();
			})));
		long millis = (System.nanoTime() - started) / 1_000_000;
		System.out.println(
				"POOLER exactly-once " + setup + ": " + total + " events in " + millis + " ms, handled per application "
						+ tracker.handledByContext + ", lease holders " + tracker.leaseHolders);
		assertThat(PoolerTestApp.rowsAndDistinct(this.jdbc, queue)).isEqualTo(total + "/" + total);
		// the graceful handover acks the closing holder's last batch before the lease
		// goes
		assertThat(tracker.handledByContext.values().stream().mapToInt(Integer::intValue).sum())
			.as("deliveries, with one graceful handover")
			.isEqualTo(total);
		assertThat(tracker.maxConcurrent.get()).as("handlers running at once across applications").isEqualTo(1);
		if (setup == Setup.TABLE_THROUGH_PGBOUNCER) {
			assertThat(this.jdbc.queryForObject(
					"SELECT count(*) FROM pgque.lease WHERE le_kind = 'ticker' AND le_owner LIKE 'ticker@%'",
					Long.class))
				.as("ticker leadership kept as a row")
				.isOne();
		}
	}

	@ParameterizedTest
	@EnumSource(Setup.class)
	void runWhenTheLeaseHolderIsKilledShouldHaveAStandbyTakeOverWithinTheExpiry(Setup setup) throws Exception {
		String queue = "killed_" + setup.name().toLowerCase();
		PoolerTestApp.prepare(this.jdbc, queue);
		// one PgBouncer per application, so that one can be cut off: transaction mode for
		// the table lease, session mode (a direct session per client) for the advisory
		// (session mode needs a server connection per client)
		boolean table = setup == Setup.TABLE_THROUGH_PGBOUNCER;
		PgBouncer first = bouncer(table ? "transaction" : "session", table ? 3 : 20);
		PgBouncer second = bouncer(table ? "transaction" : "session", table ? 3 : 20);
		app(setup, first.jdbcUrl(db.name()), 1, queue, false).run((c1) -> {
			await().atMost(Duration.ofSeconds(10)).until(() -> tracker.leaseHolders.contains(1));
			app(setup, second.jdbcUrl(db.name()), 2, queue, false).run((c2) -> {
				PoolerTestApp.insert(this.jdbc, queue, 100);
				PoolerTestApp.tick(this.jdbc, queue);
				await().atMost(Duration.ofSeconds(10)).until(() -> PoolerTestApp.committed(this.jdbc, queue) >= 100);
				Thread.sleep(500);
				List<Integer> ports = first.serverPorts();
				List<Integer> servers = this.jdbc.queryForList(
						"SELECT pid FROM pg_stat_activity WHERE client_port = ANY (?::int[])", Integer.class,
						(Object) ports.toArray(Integer[]::new));
				assertThat(servers).isNotEmpty();
				long killed = System.nanoTime();
				first.kill();
				this.jdbc.queryForList("SELECT pg_terminate_backend(pid) FROM unnest(?::int[]) pid", Boolean.class,
						(Object) servers.toArray(Integer[]::new));
				await().atMost(TTL.plus(Duration.ofSeconds(10))).until(() -> tracker.leaseHolders.contains(2));
				long takeoverMillis = (tracker.acquiredNanos.get(2) - killed) / 1_000_000;
				System.out
					.println("POOLER takeover " + setup + ": " + takeoverMillis + " ms after the holder was killed"
							+ " (ttl " + TTL.toMillis() + " ms, standby retry " + RETRY.toMillis() + " ms)");
				assertThat(takeoverMillis).as("takeover time")
					.isLessThanOrEqualTo(TTL.plus(RETRY).plusSeconds(2).toMillis());
				PoolerTestApp.insert(this.jdbc, queue, 100);
				PoolerTestApp.tick(this.jdbc, queue);
				await().atMost(Duration.ofSeconds(20)).until(() -> PoolerTestApp.committed(this.jdbc, queue) >= 200);
			});
		});
		assertThat(PoolerTestApp.rowsAndDistinct(this.jdbc, queue)).isEqualTo("200/200");
	}

	@Test
	void runWhenTheHoldersLeaseExpiresWhileItHangsShouldRefuseItsAckAndCommitNoneOfItsEffects() throws Exception {
		String queue = "fenced";
		PoolerTestApp.prepare(this.jdbc, queue);
		PgBouncer first = bouncer("transaction", 3);
		PgBouncer second = bouncer("transaction", 3);
		tracker.blockAt.set(50);
		app(Setup.TABLE_THROUGH_PGBOUNCER, first.jdbcUrl(db.name()), 1, queue, false).run((c1) -> {
			await().atMost(Duration.ofSeconds(10)).until(() -> tracker.leaseHolders.contains(1));
			app(Setup.TABLE_THROUGH_PGBOUNCER, second.jdbcUrl(db.name()), 2, queue, false).run((c2) -> {
				PoolerTestApp.insert(this.jdbc, queue, 100);
				PoolerTestApp.tick(this.jdbc, queue);
				assertThat(tracker.blocked.await(10, TimeUnit.SECONDS)).isTrue();
				// the holder's whole path to the database stalls: no heartbeat goes out
				System.out.println("POOLER fenced: lease before the stall " + leaseRow(queue));
				first.pause();
				Thread.sleep(TTL.plusSeconds(1).toMillis());
				System.out.println("POOLER fenced: lease after the stall " + leaseRow(queue));
				assertThat(this.jdbc.queryForObject("SELECT le_expires < clock_timestamp() FROM pgque.lease"
						+ " WHERE le_kind = 'consumer' AND le_queue = ?", Boolean.class, queue))
					.as("the holder's lease expired while it hung")
					.isTrue();
				tracker.release.countDown();
				first.resume();
				await().atMost(Duration.ofSeconds(20)).until(() -> tracker.leaseLost.contains(1));
				await().atMost(Duration.ofSeconds(30)).until(() -> PoolerTestApp.committed(this.jdbc, queue) >= 100);
			});
		});
		// the hung worker handled its batch up to the ack; had its effects committed,
		// the batch handled again would show duplicates
		assertThat(PoolerTestApp.rowsAndDistinct(this.jdbc, queue)).isEqualTo("100/100");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM results WHERE queue = ? AND ev_id = ?", Long.class,
				queue, tracker.blockedEventId.get()))
			.isOne();
	}

	private ApplicationContextRunner app(Setup setup, String url, int ctx, String queue, boolean withTicker) {
		return PoolerTestApp.context(db, url, ctx, queue, this.pools, withTicker)
			.withPropertyValues("pgque.lease.mode=" + ((setup == Setup.TABLE_THROUGH_PGBOUNCER) ? "auto" : "advisory"),
					"pgque.lease.ttl=" + TTL.toMillis() + "ms", "pgque.lease.heartbeat-interval=1s",
					"pgque.listener.lease-retry-interval=" + RETRY.toMillis() + "ms");
	}

	private String leaseRow(String queue) {
		return this.jdbc.queryForObject("SELECT le_owner || ' epoch ' || le_epoch || ' expires in '"
				+ " || (le_expires - clock_timestamp()) FROM pgque.lease WHERE le_kind = 'consumer' AND le_queue = ?",
				String.class, queue);
	}

	private static PgqueLeaseMode expectedMode(Setup setup) {
		return (setup == Setup.TABLE_THROUGH_PGBOUNCER) ? PgqueLeaseMode.TABLE : PgqueLeaseMode.ADVISORY;
	}

	private PgBouncer bouncer(String poolMode, int poolSize) {
		PgBouncer bouncer = PgBouncer.start(poolMode, poolSize);
		this.bouncers.add(bouncer);
		return bouncer;
	}

}
