package io.pgque.spring.pooler;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import io.pgque.spring.lease.PgqueLeaseMode;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterEach;
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
 * A graceful stop of the lease holder in the middle of a batch, with a standby waiting:
 * the holder acks its last batch before it gives the lease up, so the standby gets no
 * event twice. Runs on direct connections in both lease modes (the table lease needs no
 * pooler to be tested), so it is not tagged {@code pooler}.
 */
@Timeout(120)
class PgqueGracefulHandoverIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final List<HikariDataSource> pools = new CopyOnWriteArrayList<>();

	private final JdbcTemplate jdbc = db.jdbc();

	@AfterEach
	void cleanUp() {
		this.pools.forEach(HikariDataSource::close);
		tracker.reset();
	}

	@ParameterizedTest
	@EnumSource(value = PgqueLeaseMode.class, names = { "TABLE", "ADVISORY" })
	void runWhenTheHolderStopsGracefullyMidBatchShouldDeliverNoEventTwice(PgqueLeaseMode mode) throws Exception {
		String queue = "handover_" + mode.name().toLowerCase();
		PoolerTestApp.prepare(this.jdbc, queue);
		tracker.blockAt.set(50);
		app(mode, 1, queue).run((c1) -> {
			await().atMost(Duration.ofSeconds(10)).until(() -> tracker.leaseHolders.contains(1));
			app(mode, 2, queue).run((c2) -> {
				PoolerTestApp.insert(this.jdbc, queue, 200);
				PoolerTestApp.tick(this.jdbc, queue);
				// the holder is in the middle of its batch when it is asked to stop
				assertThat(tracker.blocked.await(10, TimeUnit.SECONDS)).isTrue();
				Thread closer = new Thread(c1::close, "close-holder");
				closer.start();
				Thread.sleep(1500);
				long releasedNanos = System.nanoTime();
				tracker.release.countDown();
				closer.join(TimeUnit.SECONDS.toMillis(30));
				assertThat(closer.isAlive()).as("the holder stopped").isFalse();
				await().atMost(Duration.ofSeconds(20)).until(() -> tracker.leaseHolders.contains(2));
				assertThat(tracker.acquiredNanos.get(2) - releasedNanos)
					.as("the standby takes the lease only after the holder's last batch")
					.isPositive();
				PoolerTestApp.insert(this.jdbc, queue, 200);
				PoolerTestApp.tick(this.jdbc, queue);
				await().atMost(Duration.ofSeconds(20)).until(() -> PoolerTestApp.committed(this.jdbc, queue) >= 400);
			});
		});
		int deliveries = tracker.handledByContext.values().stream().mapToInt(Integer::intValue).sum();
		System.out.println("Graceful handover " + mode + ": deliveries per application " + tracker.handledByContext
				+ " for 400 events");
		assertThat(PoolerTestApp.rowsAndDistinct(this.jdbc, queue)).isEqualTo("400/400");
		assertThat(tracker.handledByContext).as("deliveries per application").containsEntry(1, 200);
		assertThat(deliveries).as("deliveries of 400 events").isEqualTo(400);
	}

	private ApplicationContextRunner app(PgqueLeaseMode mode, int ctx, String queue) {
		return PoolerTestApp.context(db, db.jdbcUrl(), ctx, queue, this.pools, false)
			.withPropertyValues("pgque.lease.mode=" + mode.name().toLowerCase(), "pgque.lease.ttl=3s",
					"pgque.lease.heartbeat-interval=1s", "pgque.listener.lease-retry-interval=200ms");
	}

}
