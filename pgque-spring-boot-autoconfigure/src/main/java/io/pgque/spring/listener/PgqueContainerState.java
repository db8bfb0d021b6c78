package io.pgque.spring.listener;

import java.util.Locale;

/**
 * What a {@link PgqueListenerContainer} is doing, as
 * {@link PgqueListenerContainer#getState()} reports it.
 *
 * @author pgque-spring-boot authors
 */
public enum PgqueContainerState {

	/** Started, holds its consumer's lease and takes batches. */
	RUNNING,

	/**
	 * Started, but another instance holds the lease; it takes over when that one goes.
	 */
	STANDBY,

	/** Started and paused (for a while or until resumed); it takes no new batch. */
	PAUSED,

	/** Not started, or stopped on purpose. */
	STOPPED,

	/**
	 * Stopped by a failure: its error handler stopped it, or its worker died. Only a
	 * start clears it.
	 */
	FAILED;

	/**
	 * The name in JSON (health details, the {@code pgque} endpoint): lower case, e.g.
	 * {@code standby}.
	 * @return the name
	 */
	public String jsonName() {
		return name().toLowerCase(Locale.ROOT);
	}

}
