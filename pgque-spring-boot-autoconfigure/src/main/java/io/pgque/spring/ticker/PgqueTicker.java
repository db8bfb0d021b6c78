package io.pgque.spring.ticker;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadFactory;

import javax.sql.DataSource;

import io.pgque.spring.lease.PgqueLeaseOptions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * Makes sure the engine is ticked: in {@link PgqueTickerMode#EMBEDDED embedded} mode (or
 * {@link PgqueTickerMode#AUTO auto} mode without pg_cron) it runs the embedded ticker on
 * one thread of its own; in {@link PgqueTickerMode#PG_CRON pg-cron} mode it only checks
 * at start-up that pg_cron ticks.
 * <p>
 * The embedded ticker ticks only while this instance is the leader for the database (a
 * session advisory lock on a dedicated connection), so among many application instances
 * exactly one ticks, and another takes over when it stops or loses its connection.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueTicker implements SmartLifecycle {

	/**
	 * The lifecycle phase: the ticker starts before and stops after the listener
	 * containers (default phase), so they never wait for ticks that cannot come.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2048;

	private static final Log logger = LogFactory.getLog(PgqueTicker.class);

	private final DataSource dataSource;

	private final PgqueTickerMode mode;

	private final PgqueTickerOptions options;

	private final ThreadFactory threadFactory;

	private DataSource leadershipDataSource;

	private PgqueLeaseOptions leaseOptions = PgqueLeaseOptions.defaults();

	private final PgqueSchedulerDetector schedulerDetector = new PgqueSchedulerDetector();

	private final Object lifecycleMonitor = new Object();

	private volatile boolean running;

	private volatile @Nullable PgqueTickerMode effectiveMode;

	private volatile @Nullable PgqueTickerLoop loop;

	private @Nullable Thread thread;

	/**
	 * Create a ticker that runs on a platform thread named {@code pgque-ticker}.
	 * @param dataSource where the engine lives
	 * @param mode who ticks
	 * @param options timing of the embedded ticker
	 */
	public PgqueTicker(DataSource dataSource, PgqueTickerMode mode, PgqueTickerOptions options) {
		this(dataSource, mode, options, platformThreads());
	}

	/**
	 * Create a ticker.
	 * @param dataSource where the engine lives
	 * @param mode who ticks
	 * @param options timing of the embedded ticker
	 * @param threadFactory creates the embedded ticker's one thread
	 */
	public PgqueTicker(DataSource dataSource, PgqueTickerMode mode, PgqueTickerOptions options,
			ThreadFactory threadFactory) {
		this.dataSource = dataSource;
		this.mode = mode;
		this.options = options;
		this.threadFactory = threadFactory;
		this.leadershipDataSource = dataSource;
	}

	/**
	 * Where the embedded ticker opens the connection it holds while it leads, and ticks
	 * on; by default the engine's DataSource. The connection is kept for as long as the
	 * instance leads, so a DataSource outside the application's pool keeps it from taking
	 * a pooled connection for good.
	 * @param leadershipDataSource where to open the leader's connection
	 */
	public void setLeadershipDataSource(DataSource leadershipDataSource) {
		this.leadershipDataSource = leadershipDataSource;
	}

	/**
	 * How the embedded ticker's leadership is kept ({@code pgque.lease.*}); by default
	 * {@link PgqueLeaseOptions#defaults()}.
	 * @param leaseOptions the lease options
	 */
	public void setLeaseOptions(PgqueLeaseOptions leaseOptions) {
		this.leaseOptions = leaseOptions;
	}

	/**
	 * The ticker's default threads: a daemon platform thread named {@code pgque-ticker}.
	 * @return the thread factory
	 */
	public static ThreadFactory platformThreads() {
		return (runnable) -> {
			Thread thread = new Thread(runnable, "pgque-ticker");
			thread.setDaemon(true);
			return thread;
		};
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.running) {
				return;
			}
			PgqueTickerMode resolved = resolveMode();
			this.effectiveMode = resolved;
			if (resolved == PgqueTickerMode.EMBEDDED) {
				startLoop();
			}
			this.running = true;
		}
	}

	private PgqueTickerMode resolveMode() {
		return switch (this.mode) {
			case EMBEDDED -> PgqueTickerMode.EMBEDDED;
			case NONE -> {
				logger.info("pgque.ticker.mode=none: this application does not tick PgQue queues");
				yield PgqueTickerMode.NONE;
			}
			case PG_CRON -> {
				verifyPgCron();
				logger.info("pgque.ticker.mode=pg-cron: pg_cron ticks PgQue queues");
				yield PgqueTickerMode.PG_CRON;
			}
			case AUTO -> detectMode();
		};
	}

	private PgqueTickerMode detectMode() {
		try (Connection connection = this.dataSource.getConnection()) {
			String scheduler = this.schedulerDetector.tickingScheduler(connection);
			if (PgqueSchedulerDetector.PG_CRON.equals(scheduler)) {
				logger.info("pg_cron ticks PgQue queues in this database; the embedded ticker stays off");
				return PgqueTickerMode.PG_CRON;
			}
			if (PgqueSchedulerDetector.PG_TIMETABLE.equals(scheduler)) {
				logger.info("pg_timetable ticks PgQue queues in this database; the embedded ticker stays off");
				return PgqueTickerMode.NONE;
			}
			return PgqueTickerMode.EMBEDDED;
		}
		catch (SQLException ex) {
			logger.warn("Could not find out whether a scheduler ticks PgQue queues (" + ex.getMessage()
					+ "); running the embedded ticker");
			return PgqueTickerMode.EMBEDDED;
		}
	}

	private void verifyPgCron() {
		try (Connection connection = this.dataSource.getConnection()) {
			String database = connection.getCatalog();
			if (!this.schedulerDetector.isPgCronInstalled(connection)) {
				throw new PgqueTickerException("pgque.ticker.mode=pg-cron but the pg_cron extension is not installed"
						+ " in database '" + database
						+ "', so no pg_cron job ticks PgQue queues. Install it there (CREATE EXTENSION"
						+ " pg_cron; the starter then schedules PgQue's jobs with pgque.start()), or set"
						+ " pgque.ticker.mode to auto or embedded to let the application tick");
			}
			if (!PgqueSchedulerDetector.PG_CRON.equals(this.schedulerDetector.tickingScheduler(connection))) {
				if (!this.schedulerDetector.canSchedulePgCronJobs(connection)) {
					throw new PgqueTickerException("pgque.ticker.mode=pg-cron but PgQue's pg_cron jobs are not "
							+ "scheduled in database '" + database + "'. " + remedy(connection));
				}
				// pg_cron is there but nobody scheduled the jobs: do what the mode asks
				this.schedulerDetector.schedulePgCronJobs(connection);
				logger.info("pgque.ticker.mode=pg-cron: scheduled PgQue's pg_cron jobs with pgque.start()");
			}
		}
		catch (SQLException ex) {
			throw new PgqueTickerException(
					"pgque.ticker.mode=pg-cron but could not check pg_cron in the database: " + ex.getMessage(), ex);
		}
	}

	private String remedy(Connection connection) throws SQLException {
		return this.schedulerDetector.canSchedulePgCronJobs(connection)
				? "Run SELECT pgque.start() there once, or set pgque.ticker.mode to auto or embedded to let the"
						+ " application tick"
				: "The PgQue engine there has no pgque.start() to schedule them (an engine older than its"
						+ " scheduler functions): install the current engine, or set pgque.ticker.mode to auto or embedded";
	}

	private void startLoop() {
		Duration networkTimeout = this.options.queryTimeout().plusSeconds(5);
		PgqueTickerLeadership leadership = PgqueTickerLeadership.create(this.leadershipDataSource, networkTimeout,
				this.leaseOptions);
		PgqueTickerStatements statements = new PgqueTickerStatements((int) this.options.queryTimeout().toSeconds());
		PgqueTickerLoop newLoop = new PgqueTickerLoop(leadership, statements, this.options);
		Thread newThread = this.threadFactory.newThread(newLoop);
		this.loop = newLoop;
		this.thread = newThread;
		newThread.start();
		if (logger.isDebugEnabled()) {
			logger.debug("Embedded PgQue ticker started on thread " + newThread.getName());
		}
	}

	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			if (!this.running) {
				return;
			}
			this.running = false;
			PgqueTickerLoop currentLoop = this.loop;
			Thread currentThread = this.thread;
			if (currentLoop != null && currentThread != null) {
				currentLoop.stop();
				awaitEnd(currentThread);
			}
			this.loop = null;
			this.thread = null;
		}
	}

	private void awaitEnd(Thread loopThread) {
		// the loop may be inside one statement: wait for it, but not beyond its timeouts
		long waitMillis = this.options.queryTimeout().plusSeconds(2).toMillis();
		try {
			loopThread.join(waitMillis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (loopThread.isAlive()) {
			logger.warn("PgQue ticker thread did not stop within " + waitMillis + " ms; leaving it to end by itself");
		}
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Who ticks, as decided at start-up: {@link PgqueTickerMode#AUTO} resolves to
	 * {@link PgqueTickerMode#EMBEDDED}, {@link PgqueTickerMode#PG_CRON}, or
	 * {@link PgqueTickerMode#NONE} when pg_timetable ticks.
	 * @return the mode in effect, or {@code null} before the first start
	 */
	public @Nullable PgqueTickerMode getEffectiveMode() {
		return this.effectiveMode;
	}

	/**
	 * Whether this instance is the one that ticks the database now.
	 * @return whether the embedded ticker runs here and holds the leadership
	 */
	public boolean isLeader() {
		PgqueTickerLoop currentLoop = this.loop;
		return currentLoop != null && currentLoop.isLeader();
	}

	/**
	 * When this instance last ticked successfully.
	 * @return the time of the last successful {@code pgque.ticker()} call here, or
	 * {@code null} if there was none since start
	 */
	public @Nullable Instant getLastTick() {
		PgqueTickerLoop currentLoop = this.loop;
		return (currentLoop != null) ? currentLoop.lastTick() : null;
	}

	/**
	 * The timing of the embedded ticker.
	 * @return the options
	 */
	public PgqueTickerOptions getOptions() {
		return this.options;
	}

}
