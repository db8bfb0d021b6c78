package io.pgque.spring.autoconfigure;

import java.util.concurrent.ThreadFactory;

import org.springframework.boot.thread.Threading;
import org.springframework.core.env.Environment;
import org.springframework.core.task.VirtualThreadTaskExecutor;

/**
 * The one place that decides whether PgQue's background threads (listener workers,
 * notifications, ticker, metrics) are virtual: they follow
 * {@code spring.threads.virtual.enabled}.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueThreads {

	private PgqueThreads() {
	}

	/**
	 * Virtual threads named after {@code prefix} when virtual threads are enabled, else
	 * the given platform threads.
	 * @param environment where {@code spring.threads.virtual.enabled} is read
	 * @param prefix the virtual threads' name prefix
	 * @param platform the threads to use when virtual threads are not enabled
	 * @return the thread factory
	 */
	static ThreadFactory of(Environment environment, String prefix, ThreadFactory platform) {
		return Threading.VIRTUAL.isActive(environment) ? new VirtualThreadTaskExecutor(prefix).getVirtualThreadFactory()
				: platform;
	}

}
