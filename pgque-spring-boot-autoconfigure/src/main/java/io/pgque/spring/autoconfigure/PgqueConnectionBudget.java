package io.pgque.spring.autoconfigure;

import java.util.OptionalInt;

import javax.sql.DataSource;

import io.pgque.spring.listener.PgqueListenerContainer;
import io.pgque.spring.listener.PgqueListenerContainerRegistry;
import io.pgque.spring.ticker.PgqueTicker;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

/**
 * Checks, before the ticker and the listener containers start, that the PgQue DataSource
 * pool can serve them: every running container holds one pooled connection for the length
 * of a batch (a cooperative one, one per worker), and one more is left for ticks, sends
 * and health checks. The session connections (leases, LISTEN, ticker leadership) come on
 * top when they cannot be opened outside the pool. A pool too small fails start-up naming
 * the size needed; a batch would otherwise wait for a connection that never comes.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueConnectionBudget implements SmartLifecycle {

	static final int SESSION_CONNECTIONS = 3;

	private static final Log logger = LogFactory.getLog(PgqueConnectionBudget.class);

	private final DataSource dataSource;

	// looked up at start, not injected: a Lifecycle bean that depends on the registry
	// is stopped with the registry's phase and counts down its shutdown latch, so the
	// context would not wait for the containers to finish their batches
	private final ObjectProvider<PgqueListenerContainerRegistry> registry;

	private final boolean qualifiedDataSource;

	private volatile boolean running;

	PgqueConnectionBudget(DataSource dataSource, ObjectProvider<PgqueListenerContainerRegistry> registry,
			boolean qualifiedDataSource) {
		this.dataSource = dataSource;
		this.registry = registry;
		this.qualifiedDataSource = qualifiedDataSource;
	}

	/**
	 * The pooled connections an application needs.
	 * @param containers the listener containers that start with it
	 * @param sessionConnectionsInPool whether leases, LISTEN and ticker leadership take
	 * theirs from the pool
	 * @return the smallest pool that serves them all
	 */
	static int connectionsNeeded(int containers, boolean sessionConnectionsInPool) {
		return containers + 1 + (sessionConnectionsInPool ? SESSION_CONNECTIONS : 0);
	}

	@Override
	public void start() {
		this.running = true;
		// a cooperative container holds one connection per worker
		int containers = this.registry.getObject()
			.getListenerContainers()
			.stream()
			.filter(PgqueListenerContainer::isAutoStartup)
			.mapToInt((container) -> container.getOptions().concurrency())
			.sum();
		OptionalInt poolSize = PgqueControlConnections.maximumPoolSize(this.dataSource);
		if (containers == 0 || poolSize.isEmpty()) {
			return;
		}
		boolean inPool = !PgqueControlConnections.isOutsidePool(this.dataSource);
		int needed = connectionsNeeded(containers, inPool);
		if (poolSize.getAsInt() < needed) {
			throw new IllegalStateException("The PgQue DataSource pool has " + poolSize.getAsInt()
					+ " connections but its " + containers + " listener workers need at least " + needed
					+ " (one per worker for its batch, one for ticks and sends"
					+ (inPool ? ", " + SESSION_CONNECTIONS + " for leases, LISTEN and ticker leadership" : "")
					+ "): set " + property() + " to " + needed + " or more");
		}
		if (logger.isDebugEnabled()) {
			logger.debug("PgQue connection budget: " + needed + " of " + poolSize.getAsInt()
					+ " pooled connections for " + containers + " listener containers");
		}
	}

	private String property() {
		return this.qualifiedDataSource ? "the maximum pool size of the @PgqueDataSource DataSource"
				: "spring.datasource.hikari.maximum-pool-size";
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	// before the ticker, which starts first
	@Override
	public int getPhase() {
		return PgqueTicker.PHASE - 1;
	}

}
