/**
 * Tests of the engine's modern SQL API (send, receive, ack, nack, dead letters, roles,
 * the receive-lock patch) against a real PostgreSQL.
 */
@NullMarked
package io.pgque.spring.engine.api;

import org.jspecify.annotations.NullMarked;
