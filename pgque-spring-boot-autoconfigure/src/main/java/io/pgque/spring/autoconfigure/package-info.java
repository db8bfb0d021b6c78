/**
 * Auto-configuration for PgQue and its configuration properties.
 */
@NullMarked
package io.pgque.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
