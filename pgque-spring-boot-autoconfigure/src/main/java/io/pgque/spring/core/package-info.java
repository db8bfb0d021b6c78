/**
 * Sending, receiving and administering PgQue queues:
 * {@link io.pgque.spring.core.PgqueOperations}, its messages, batches and exceptions, and
 * what a listener method can declare besides its payload
 * ({@link io.pgque.spring.core.PgqueHeader},
 * {@link io.pgque.spring.core.PgqueAcknowledgement}).
 */
@NullMarked
package io.pgque.spring.core;

import org.jspecify.annotations.NullMarked;
