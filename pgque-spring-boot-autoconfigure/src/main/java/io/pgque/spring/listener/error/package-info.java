/**
 * Error handling: in-place retry with back-off, nack and dead-letter decisions.
 */
@NullMarked
package io.pgque.spring.listener.error;

import org.jspecify.annotations.NullMarked;
