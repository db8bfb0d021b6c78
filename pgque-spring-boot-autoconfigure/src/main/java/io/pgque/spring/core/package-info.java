/**
 * Sending, receiving and administering PgQue queues:
 * {@link io.pgque.spring.core.PgqueOperations}, its messages, batches and exceptions.
 */
@NullMarked
package io.pgque.spring.core;

import org.jspecify.annotations.NullMarked;
