/**
 * The documentation's Java snippets, compiled.
 */
package io.pgque.spring.docs;
