package io.pgque.spring.listener;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * One worker of a container with several (cooperative or keyed), as the registry, health
 * and the {@code pgque} endpoint show it.
 *
 * @param name its name ({@code <instance-id>-<n>}; for a cooperative member the engine's
 * consumer row is {@code <consumer>.<name>}, for a keyed worker it is the lease owner of
 * its slots)
 * @param state {@code joining}, {@code idle}, {@code processing} or {@code stopped}; a
 * keyed worker that holds no slot is {@code standby}
 * @param batch the batch it is processing, or {@code null}
 * @param slots the partition slots a keyed worker holds; empty for a cooperative member
 * @author pgque-spring-boot authors
 */
public record PgqueContainerMember(String name, String state, @Nullable Long batch, List<Integer> slots) {

	public PgqueContainerMember {
		slots = List.copyOf(slots);
	}

	/**
	 * A cooperative member.
	 * @param name its subconsumer name
	 * @param state what it is doing
	 * @param batch the batch it is processing, or {@code null}
	 */
	public PgqueContainerMember(String name, String state, @Nullable Long batch) {
		this(name, state, batch, List.of());
	}

}
