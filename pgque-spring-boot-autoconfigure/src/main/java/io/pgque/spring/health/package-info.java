/**
 * Actuator health of the PgQue engine.
 */
@NullMarked
package io.pgque.spring.health;

import org.jspecify.annotations.NullMarked;
