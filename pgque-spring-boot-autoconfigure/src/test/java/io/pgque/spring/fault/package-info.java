/**
 * The process-level fault suite: application processes killed with {@code kill -9} and a
 * PostgreSQL restart, checked by counting the rows their batches wrote.
 */
@NullMarked
package io.pgque.spring.fault;

import org.jspecify.annotations.NullMarked;
