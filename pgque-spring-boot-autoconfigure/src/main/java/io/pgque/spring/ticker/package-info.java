/**
 * The embedded ticker: a leader-elected loop that ticks queues, moves due retries back
 * into them and rotates their tables, unless pg_cron already does it.
 */
@NullMarked
package io.pgque.spring.ticker;

import org.jspecify.annotations.NullMarked;
