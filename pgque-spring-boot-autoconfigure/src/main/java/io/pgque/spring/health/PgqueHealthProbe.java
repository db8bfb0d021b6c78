package io.pgque.spring.health;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import javax.sql.DataSource;

import io.pgque.spring.PgqueException;
import io.pgque.spring.core.PgqueErrorTranslator;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Reads a {@link PgqueHealthSnapshot} at bounded cost: two statements whatever the number
 * of queues and consumers, dead letters counted only up to a limit per queue (through the
 * index on the queue, never the whole table), each statement cancelled after a timeout,
 * and the result (or the failure) kept for a while so frequent probes do not each reach
 * the database. Concurrent probes wait for the one reading.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueHealthProbe {

	// One row even without queues (the version); the dead-letter count stops at the limit
	private static final String QUEUES = """
			SELECT v.version, q.queue_name, q.queue_external_ticker, q.queue_ticker_paused,
				extract(epoch FROM q.queue_ticker_max_lag) AS max_lag,
				extract(epoch FROM q.queue_ticker_idle_period) AS idle_period,
				extract(epoch FROM q.ticker_lag) AS ticker_lag, q.ev_new, dl.n AS dead_letters
			FROM (SELECT pgque.version() AS version) v
			LEFT JOIN pgque.get_queue_info() q ON true
			LEFT JOIN LATERAL (SELECT count(*) AS n FROM (SELECT 1 FROM pgque.dead_letter d
				JOIN pgque.queue qq ON qq.queue_id = d.dl_queue_id
				WHERE qq.queue_name = q.queue_name LIMIT ?) capped) dl ON q.queue_name IS NOT NULL
			ORDER BY q.queue_name""";

	private static final String CONSUMERS = """
			SELECT queue_name, consumer_name, extract(epoch FROM lag) AS lag, pending_events, current_batch
			FROM pgque.get_consumer_info() ORDER BY queue_name, consumer_name""";

	private final JdbcTemplate jdbc;

	private final int timeoutSeconds;

	private final Duration cacheTime;

	private final int deadLetterLimit;

	private final PgqueErrorTranslator errorTranslator = new PgqueErrorTranslator();

	private final ReentrantLock lock = new ReentrantLock();

	private @Nullable PgqueHealthSnapshot snapshot;

	private @Nullable RuntimeException failure;

	private long readAtNanos;

	/**
	 * Create a probe.
	 * @param dataSource the PgQue DataSource
	 * @param statementTimeout after how long a statement is cancelled (whole seconds, at
	 * least one)
	 * @param cacheTime how long a result is reused
	 * @param deadLetterLimit how many dead letters per queue are counted at most
	 */
	public PgqueHealthProbe(DataSource dataSource, Duration statementTimeout, Duration cacheTime, int deadLetterLimit) {
		if (deadLetterLimit < 1) {
			throw new IllegalArgumentException("pgque.health.dead-letter-count-limit must be at least 1");
		}
		this.jdbc = new JdbcTemplate(dataSource);
		// the driver cancels the statement from another thread; no extra round trip
		this.timeoutSeconds = (int) Math.max(1, (statementTimeout.toMillis() + 999) / 1000);
		this.jdbc.setQueryTimeout(this.timeoutSeconds);
		this.cacheTime = cacheTime;
		this.deadLetterLimit = deadLetterLimit;
	}

	/**
	 * The latest snapshot, read now if the cached one is older than the cache time.
	 * @return the snapshot
	 * @throws RuntimeException why it could not be read (cached like a result)
	 */
	public PgqueHealthSnapshot snapshot() {
		this.lock.lock();
		try {
			if ((this.snapshot == null && this.failure == null)
					|| System.nanoTime() - this.readAtNanos >= this.cacheTime.toNanos()) {
				read();
			}
			if (this.failure != null) {
				throw this.failure;
			}
			return this.snapshot;
		}
		finally {
			this.lock.unlock();
		}
	}

	private void read() {
		try {
			this.snapshot = readNow();
			this.failure = null;
		}
		catch (QueryTimeoutException ex) {
			this.snapshot = null;
			this.failure = new PgqueException("PgQue health check: the database did not answer within "
					+ this.timeoutSeconds + " s (pgque.health.statement-timeout)", ex);
		}
		catch (DataAccessException ex) {
			this.snapshot = null;
			RuntimeException translated = this.errorTranslator.translate("health check", ex, null, null, null);
			this.failure = (translated instanceof PgqueException) ? translated
					: new PgqueException("PgQue health check failed: " + ex.getMostSpecificCause().getMessage(), ex);
		}
		catch (RuntimeException ex) {
			this.snapshot = null;
			this.failure = ex;
		}
		this.readAtNanos = System.nanoTime();
	}

	private PgqueHealthSnapshot readNow() {
		List<String> version = new ArrayList<>(1);
		List<PgqueHealthSnapshot.Queue> queues = new ArrayList<>();
		this.jdbc.query(QUEUES, (rs) -> {
			if (version.isEmpty()) {
				version.add(rs.getString("version"));
			}
			if (rs.getString("queue_name") != null) {
				queues.add(queue(rs));
			}
		}, this.deadLetterLimit);
		List<PgqueHealthSnapshot.Consumer> consumers = this.jdbc.query(CONSUMERS,
				(rs, row) -> new PgqueHealthSnapshot.Consumer(rs.getString("queue_name"), rs.getString("consumer_name"),
						seconds(rs, "lag"), rs.getLong("pending_events"), nullableLong(rs, "current_batch")));
		return new PgqueHealthSnapshot(version.isEmpty() ? "?" : version.get(0), queues, consumers);
	}

	private PgqueHealthSnapshot.Queue queue(ResultSet rs) throws SQLException {
		long deadLetters = rs.getLong("dead_letters");
		return new PgqueHealthSnapshot.Queue(rs.getString("queue_name"), rs.getBoolean("queue_external_ticker"),
				rs.getBoolean("queue_ticker_paused"), seconds(rs, "max_lag"), seconds(rs, "idle_period"),
				seconds(rs, "ticker_lag"), rs.getLong("ev_new"), deadLetters, deadLetters >= this.deadLetterLimit);
	}

	private static Duration seconds(ResultSet rs, String column) throws SQLException {
		double seconds = rs.getDouble(column);
		return rs.wasNull() ? Duration.ZERO : Duration.ofNanos((long) (seconds * 1e9));
	}

	private static @Nullable Long nullableLong(ResultSet rs, String column) throws SQLException {
		long value = rs.getLong(column);
		return rs.wasNull() ? null : value;
	}

}
