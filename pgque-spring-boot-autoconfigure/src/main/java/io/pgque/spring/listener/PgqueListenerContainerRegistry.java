package io.pgque.spring.listener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * Holds the listener containers of the application, at most one per (queue, consumer),
 * and starts and stops them with the application context. Look containers up by id to
 * stop, pause or resume them at runtime.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueListenerContainerRegistry implements SmartLifecycle, DisposableBean {

	/**
	 * The lifecycle phase of the containers: late start, early stop (before the ticker
	 * and the DataSource).
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 100;

	private final Map<String, PgqueListenerContainer> containers = Collections.synchronizedMap(new LinkedHashMap<>());

	private volatile boolean running;

	private ThreadFactory threadFactory = Thread::new;

	/**
	 * Set how the threads that stop containers in parallel are created.
	 * @param threadFactory the factory (virtual threads when the application uses them)
	 */
	public void setThreadFactory(ThreadFactory threadFactory) {
		this.threadFactory = threadFactory;
	}

	/**
	 * Register a container.
	 * @param container the container
	 * @throws IllegalStateException if a container with the same id, or for the same
	 * (queue, consumer), is registered already
	 */
	public void registerListenerContainer(PgqueListenerContainer container) {
		synchronized (this.containers) {
			PgqueListenerContainer sameId = this.containers.get(container.getId());
			if (sameId != null) {
				throw new IllegalStateException("Two PgQue listener containers with id '" + container.getId() + "': "
						+ describe(sameId) + " and " + describe(container));
			}
			for (PgqueListenerContainer existing : this.containers.values()) {
				if (existing.getQueue().equals(container.getQueue())
						&& existing.getConsumer().equals(container.getConsumer())) {
					throw new IllegalStateException(
							"Two PgQue listener containers for consumer '" + container.getConsumer() + "' of queue '"
									+ container.getQueue() + "' would run two workers for one consumer: "
									+ describe(existing) + " and " + describe(container));
				}
			}
			this.containers.put(container.getId(), container);
		}
		if (this.running && container.isAutoStartup()) {
			container.start();
		}
	}

	private static String describe(PgqueListenerContainer container) {
		return container.getId() + " " + container.getDispatcher().handlers();
	}

	/**
	 * The container with the given id.
	 * @param id the id
	 * @return the container, or {@code null}
	 */
	public @Nullable PgqueListenerContainer getListenerContainer(String id) {
		return this.containers.get(id);
	}

	/**
	 * The container with the given id, or an exception naming the known ids.
	 * @param id the id
	 * @return the container
	 */
	public PgqueListenerContainer getRequiredListenerContainer(String id) {
		PgqueListenerContainer container = getListenerContainer(id);
		if (container == null) {
			throw new IllegalArgumentException(
					"No PgQue listener container with id '" + id + "'; known: " + this.containers.keySet());
		}
		return container;
	}

	public Collection<PgqueListenerContainer> getListenerContainers() {
		synchronized (this.containers) {
			return List.copyOf(this.containers.values());
		}
	}

	public void start(String id) {
		getRequiredListenerContainer(id).start();
	}

	public void stop(String id) {
		getRequiredListenerContainer(id).stop();
	}

	public void pause(String id) {
		getRequiredListenerContainer(id).pause();
	}

	public void pause(String id, Duration duration) {
		getRequiredListenerContainer(id).pause(duration);
	}

	public void resume(String id) {
		getRequiredListenerContainer(id).resume();
	}

	@Override
	public void start() {
		for (PgqueListenerContainer container : getListenerContainers()) {
			if (container.isAutoStartup()) {
				container.start();
			}
		}
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		// stop all at once: each finishes its batch within its own shutdown timeout
		List<Thread> stoppers = new ArrayList<>();
		for (PgqueListenerContainer container : getListenerContainers()) {
			Thread stopper = this.threadFactory.newThread(container::stop);
			stopper.setName("pgque-stop-" + container.getId());
			stoppers.add(stopper);
			stopper.start();
		}
		for (Thread stopper : stoppers) {
			try {
				stopper.join();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	@Override
	public void stop(Runnable callback) {
		this.running = false;
		List<PgqueListenerContainer> running = getListenerContainers().stream()
			.filter(PgqueListenerContainer::isRunning)
			.toList();
		if (running.isEmpty()) {
			callback.run();
			return;
		}
		AtomicInteger remaining = new AtomicInteger(running.size());
		for (PgqueListenerContainer container : running) {
			container.stop(() -> {
				if (remaining.decrementAndGet() == 0) {
					callback.run();
				}
			});
		}
	}

	/**
	 * Whether the registry has started: a container registered while it runs starts at
	 * once (if it starts automatically). Both stops clear it first, so that no container
	 * registered during shutdown starts.
	 * @return whether the registry runs
	 */
	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	@Override
	public void destroy() {
		stop();
	}

}
