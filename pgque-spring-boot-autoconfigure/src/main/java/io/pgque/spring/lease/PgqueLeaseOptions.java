package io.pgque.spring.lease;

import java.time.Duration;

/**
 * How leases are kept.
 *
 * @param mode advisory, table or auto
 * @param ttl how long a table lease lives without a heartbeat: a dead holder is replaced
 * after at most this (plus the standby's retry interval)
 * @param heartbeatInterval how often a holder renews its table leases; well below the ttl
 * @author pgque-spring-boot authors
 */
public record PgqueLeaseOptions(PgqueLeaseMode mode, Duration ttl, Duration heartbeatInterval) {

	public PgqueLeaseOptions {
		if (ttl.isNegative() || ttl.isZero()) {
			throw new IllegalArgumentException("pgque.lease.ttl must be positive, got " + ttl);
		}
		if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()
				|| heartbeatInterval.compareTo(ttl.dividedBy(2)) > 0) {
			throw new IllegalArgumentException("pgque.lease.heartbeat-interval must be positive and at most half of"
					+ " pgque.lease.ttl (" + ttl + "), got " + heartbeatInterval);
		}
	}

	/**
	 * The defaults: auto, a 10 second ttl renewed every 3 seconds.
	 * @return the options
	 */
	public static PgqueLeaseOptions defaults() {
		return new PgqueLeaseOptions(PgqueLeaseMode.AUTO, Duration.ofSeconds(10), Duration.ofSeconds(3));
	}

	/**
	 * The same options with another mode.
	 * @param newMode the mode
	 * @return the options
	 */
	public PgqueLeaseOptions withMode(PgqueLeaseMode newMode) {
		return new PgqueLeaseOptions(newMode, this.ttl, this.heartbeatInterval);
	}

}
