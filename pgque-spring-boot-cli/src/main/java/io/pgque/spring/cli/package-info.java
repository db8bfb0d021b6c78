/**
 * The command that installs, patches or removes the engine without an application.
 */
@NullMarked
package io.pgque.spring.cli;

import org.jspecify.annotations.NullMarked;
