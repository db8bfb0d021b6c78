/**
 * How a lease is kept (an advisory lock on a session, or a row with a fencing epoch), and
 * which of the two works on a given connection.
 */
@NullMarked
package io.pgque.spring.lease;

import org.jspecify.annotations.NullMarked;
