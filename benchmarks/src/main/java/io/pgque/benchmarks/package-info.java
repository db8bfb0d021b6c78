/**
 * Benchmarks of the engine and the starter, each against a raw SQL or JDBC baseline run
 * on the same server in the same run; see docs/benchmarks.md.
 */
@NullMarked
package io.pgque.benchmarks;

import org.jspecify.annotations.NullMarked;
