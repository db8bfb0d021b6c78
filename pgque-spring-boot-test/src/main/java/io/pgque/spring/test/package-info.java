/**
 * Test support for applications using PgQue: a real PostgreSQL for
 * {@code @SpringBootTest} ({@link io.pgque.spring.test.PgqueTestDatabase}), fast delivery
 * ({@link io.pgque.spring.test.PgqueTest}) and
 * {@link io.pgque.spring.test.PgqueTestSupport} to tick, wait, read dead letters and
 * drain.
 */
@NullMarked
package io.pgque.spring.test;

import org.jspecify.annotations.NullMarked;
