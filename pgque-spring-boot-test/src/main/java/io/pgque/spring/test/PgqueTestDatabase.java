package io.pgque.spring.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Import;

/**
 * Runs a {@code @SpringBootTest} against a real PostgreSQL with no setup: a
 * Testcontainers {@code postgres} container connected through {@code @ServiceConnection}
 * when a Docker engine answers (and Testcontainers is on the test classpath), an embedded
 * PostgreSQL otherwise. Each application context gets a database of its own.
 * <p>
 * A {@code spring.datasource.url} of the test, or a {@code @ServiceConnection} container
 * the test declares itself, takes precedence only if the application defines no other
 * connection; do not combine them with this annotation.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Import(PgqueTestDatabaseConfiguration.class)
public @interface PgqueTestDatabase {

}
