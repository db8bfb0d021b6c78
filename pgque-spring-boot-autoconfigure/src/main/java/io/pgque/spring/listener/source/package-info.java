/**
 * Where a container gets its work: the batch SQL, the cross-JVM lease and the shared
 * LISTEN connection.
 */
@NullMarked
package io.pgque.spring.listener.source;

import org.jspecify.annotations.NullMarked;
