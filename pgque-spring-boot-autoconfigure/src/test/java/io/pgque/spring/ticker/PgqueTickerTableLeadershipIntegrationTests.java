package io.pgque.spring.ticker;

import java.time.Duration;

import io.pgque.spring.lease.PgqueLeaseMode;
import io.pgque.spring.lease.PgqueLeaseOptions;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Ticker leadership as the ticker row of {@code pgque.lease}: one leader, renewed while
 * it ticks, taken over once it stops renewing for a ttl, and the old leader gives up when
 * it finds the row taken.
 */
class PgqueTickerTableLeadershipIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private static final PgqueLeaseOptions LEASE = new PgqueLeaseOptions(PgqueLeaseMode.TABLE, Duration.ofMillis(1000),
			Duration.ofMillis(300));

	@Test
	void oneLeaderThenTakeoverAfterItStopsRenewing() throws Exception {
		PgqueTickerLeadership a = PgqueTickerLeadership.create(db.dataSource(), Duration.ofSeconds(5), LEASE);
		PgqueTickerLeadership b = PgqueTickerLeadership.create(db.dataSource(), Duration.ofSeconds(5), LEASE);
		try {
			assertThat(a.tryAcquire()).isTrue();
			assertThat(b.tryAcquire()).isFalse();
			for (int i = 0; i < 6; i++) {
				// a ticks (asks for its connection) and renews when due
				a.connection();
				Thread.sleep(250);
			}
			assertThat(b.tryAcquire()).as("renewed, so still a's").isFalse();
			// a stalls: no tick, no renewal
			Thread.sleep(1200);
			assertThat(b.tryAcquire()).isTrue();
			assertThatIllegalStateException().isThrownBy(a::connection);
			assertThat(a.isLeader()).isFalse();
			assertThat(a.isConnectionAlive()).isFalse();
			a.release();
			b.release();
			assertThat(a.tryAcquire()).as("released rows are taken at once").isTrue();
		}
		finally {
			a.release();
			b.release();
		}
	}

}
