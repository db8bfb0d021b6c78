/**
 * How listener endpoints become containers: endpoints, the registrar that groups them by
 * (queue, consumer), container factories and bean names.
 */
@NullMarked
package io.pgque.spring.config;

import org.jspecify.annotations.NullMarked;
