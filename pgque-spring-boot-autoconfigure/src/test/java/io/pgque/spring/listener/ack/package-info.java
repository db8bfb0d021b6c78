/**
 * Tests of the batch processors' choice of transaction mode.
 */
@NullMarked
package io.pgque.spring.listener.ack;

import org.jspecify.annotations.NullMarked;
