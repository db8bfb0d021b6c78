package io.pgque.spring.core;

import org.jspecify.annotations.Nullable;

/**
 * One row of {@code pgque.status()}: a component of the installation and its state.
 *
 * @param component e.g. {@code postgresql}, {@code pgque}, {@code scheduler},
 * {@code ticker}, {@code queues}
 * @param status e.g. {@code info}, {@code scheduled}, {@code stopped}
 * @param detail free text
 * @author pgque-spring-boot authors
 */
public record PgqueStatus(String component, @Nullable String status, @Nullable String detail) {

}
