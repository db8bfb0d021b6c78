/**
 * Micrometer metrics of the PgQue engine.
 */
@NullMarked
package io.pgque.spring.metrics;

import org.jspecify.annotations.NullMarked;
