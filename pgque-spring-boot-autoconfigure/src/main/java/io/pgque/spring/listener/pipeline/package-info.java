/**
 * The batch-processing pipeline: one processor per transaction mode dispatches a batch to
 * the handlers, settles failed messages and acknowledges the batch. Depends on the
 * adapter, error and source packages, never on the container above it.
 */
@NullMarked
package io.pgque.spring.listener.pipeline;

import org.jspecify.annotations.NullMarked;
