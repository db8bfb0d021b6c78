/**
 * Micrometer Observations of sending ({@code pgque.send}) and handling
 * ({@code pgque.process}), and the trace context stored with each event.
 */
@NullMarked
package io.pgque.spring.observation;

import org.jspecify.annotations.NullMarked;
