/**
 * PgQue for Spring Boot: the root of the exception hierarchy. Sub-packages depend on this
 * one, never the other way round.
 */
@NullMarked
package io.pgque.spring;

import org.jspecify.annotations.NullMarked;
