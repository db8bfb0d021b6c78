/**
 * Tests of the batch processors' choice of transaction mode.
 */
@NullMarked
package io.pgque.spring.listener.pipeline;

import org.jspecify.annotations.NullMarked;
