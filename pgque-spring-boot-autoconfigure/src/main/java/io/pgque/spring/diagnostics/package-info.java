/**
 * Failure analyzers: start-up failures of PgQue shown as Boot's "APPLICATION FAILED TO
 * START" panel, naming the cause and the fix.
 */
@NullMarked
package io.pgque.spring.diagnostics;

import org.jspecify.annotations.NullMarked;
