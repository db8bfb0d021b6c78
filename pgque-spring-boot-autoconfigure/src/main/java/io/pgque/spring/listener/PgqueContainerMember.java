package io.pgque.spring.listener;

import org.jspecify.annotations.Nullable;

/**
 * One cooperative worker of a container, as the registry, health and the {@code pgque}
 * endpoint show it.
 *
 * @param name its subconsumer name ({@code <instance-id>-<n>}; the engine's consumer row
 * is {@code <consumer>.<name>})
 * @param state {@code joining}, {@code idle}, {@code processing} or {@code stopped}
 * @param batch the batch it is processing, or {@code null}
 * @author pgque-spring-boot authors
 */
public record PgqueContainerMember(String name, String state, @Nullable Long batch) {

}
