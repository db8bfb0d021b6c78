/**
 * The application the test-support module's own tests test.
 */
@NullMarked
package io.pgque.spring.test.app;

import org.jspecify.annotations.NullMarked;
