/**
 * Tests of the test support, written the way an application's tests use it.
 */
@NullMarked
package io.pgque.spring.test;

import org.jspecify.annotations.NullMarked;
