/**
 * Tests that keep the documentation honest: the configuration reference against the
 * configuration metadata, the Java snippets against the compiler.
 */
package io.pgque.spring.docs;
