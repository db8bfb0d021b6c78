/**
 * Tests of the listener containers against a real PostgreSQL.
 */
@NullMarked
package io.pgque.spring.listener;

import org.jspecify.annotations.NullMarked;
