package io.pgque.spring.pooler;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.zaxxer.hikari.HikariDataSource;
import io.pgque.spring.test.PgBouncer;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import static io.pgque.spring.pooler.PoolerTestApp.tracker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cooperative workers ({@code concurrency} above 1) through a real PgBouncer in
 * transaction mode: no lease, no session state; three applications with three workers
 * each on three server connections handle every event exactly once. Figures are printed
 * with the prefix {@code POOLER}.
 */
@Tag("pooler")
@Timeout(300)
class PgqueCooperativePoolerIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final List<HikariDataSource> pools = new CopyOnWriteArrayList<>();

	private final List<PgBouncer> bouncers = new CopyOnWriteArrayList<>();

	private final JdbcTemplate jdbc = db.jdbc();

	@AfterEach
	void cleanUp() {
		this.pools.forEach(HikariDataSource::close);
		this.bouncers.forEach(PgBouncer::close);
		tracker.reset();
	}

	@Test
	void runWhenThreeApplicationsRunCooperativeWorkersThroughPgBouncerShouldHandleEveryEventExactlyOnce()
			throws Exception {
		String queue = "coop_bouncer";
		PoolerTestApp.prepare(this.jdbc, queue);
		PgBouncer bouncer = PgBouncer.start("transaction", 3);
		this.bouncers.add(bouncer);
		String url = bouncer.jdbcUrl(db.name());
		int total = 10_000;
		// preloaded, a tick per 500 events: 20 batches wait for the workers
		for (int sent = 0; sent < total; sent += 500) {
			PoolerTestApp.insert(this.jdbc, queue, 500);
			PoolerTestApp.tick(this.jdbc, queue);
		}
		long started = System.nanoTime();
		app(url, 1, queue).run((c1) -> app(url, 2, queue).run((c2) -> app(url, 3, queue).run((c3) -> {
			await().atMost(Duration.ofSeconds(150)).until(() -> PoolerTestApp.committed(this.jdbc, queue) >= total);
		})));
		long millis = (System.nanoTime() - started) / 1_000_000;
		System.out.println("POOLER cooperative 3 x 3 through PgBouncer: " + total + " events in " + millis
				+ " ms, handled per application " + tracker.handledByContext + ", most handlers at once "
				+ tracker.maxConcurrent.get());
		assertThat(PoolerTestApp.rowsAndDistinct(this.jdbc, queue)).isEqualTo(total + "/" + total);
		assertThat(tracker.maxConcurrent.get()).as("handlers running at once").isGreaterThan(1);
		assertThat(this.jdbc.queryForObject(
				"SELECT count(*) FROM pgque.lease WHERE le_kind = 'consumer'" + " AND le_queue = ?", Long.class, queue))
			.as("consumer leases taken")
			.isZero();
	}

	private ApplicationContextRunner app(String url, int ctx, String queue) {
		return PoolerTestApp.context(db, url, ctx, queue, this.pools, true)
			.withPropertyValues("pgque.listener.concurrency=3", "pgque.listener.dead-interval=10s",
					"pgque.lease.mode=auto", "test.pause-millis=1");
	}

}
