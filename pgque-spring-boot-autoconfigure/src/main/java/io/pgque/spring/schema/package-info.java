/**
 * Installing, patching and validating the PgQue engine with Liquibase.
 */
@NullMarked
package io.pgque.spring.schema;

import org.jspecify.annotations.NullMarked;
