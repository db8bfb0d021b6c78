/**
 * The {@code pgque} actuator endpoint: queues, consumers, this application's listener
 * containers and dead letters; pause, resume, replay, purge and tick.
 */
@NullMarked
package io.pgque.spring.endpoint;

import org.jspecify.annotations.NullMarked;
