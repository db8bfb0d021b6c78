/**
 * Listener containers (one per queue and consumer), their registry, options and events.
 */
@NullMarked
package io.pgque.spring.listener;

import org.jspecify.annotations.NullMarked;
