/**
 * Invoking the user's listener methods: argument resolution and payload conversion.
 */
@NullMarked
package io.pgque.spring.listener.adapter;

import org.jspecify.annotations.NullMarked;
