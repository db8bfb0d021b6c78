/**
 * Tests of the SQL engine against a real PostgreSQL, and
 * {@link io.pgque.spring.engine.EngineSql}, small SQL helpers for such tests.
 */
@NullMarked
package io.pgque.spring.engine;

import org.jspecify.annotations.NullMarked;
