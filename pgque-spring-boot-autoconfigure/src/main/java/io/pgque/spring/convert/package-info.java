/**
 * Payload conversion: Java objects to the text or JSON an event carries, and back, and
 * the type names events are sent with.
 */
@NullMarked
package io.pgque.spring.convert;

import org.jspecify.annotations.NullMarked;
