/**
 * The PostgreSQL of a test run when there is no Docker: an embedded server started once
 * per JVM with a database per application context, and the probe that decides between
 * Docker and it. Free of Spring and of the starter, so that both the test-support module
 * and the starter's own tests use it.
 */
@NullMarked
package io.pgque.spring.test.postgres;

import org.jspecify.annotations.NullMarked;
