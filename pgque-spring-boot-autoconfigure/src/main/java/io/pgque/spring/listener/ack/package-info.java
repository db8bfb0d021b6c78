/**
 * Transaction modes: how a batch is dispatched, settled and acknowledged.
 */
@NullMarked
package io.pgque.spring.listener.ack;

import org.jspecify.annotations.NullMarked;
