/**
 * A real PostgreSQL for every integration test: one server per run, a fresh database per
 * test class.
 */
@NullMarked
package io.pgque.spring.test;

import org.jspecify.annotations.NullMarked;
