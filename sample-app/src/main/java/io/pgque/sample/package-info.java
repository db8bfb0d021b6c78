/**
 * The PgQue sample: an orders API whose events fan out to billing and shipping, with a
 * dead-letter queue to watch and replay.
 */
@NullMarked
package io.pgque.sample;

import org.jspecify.annotations.NullMarked;
