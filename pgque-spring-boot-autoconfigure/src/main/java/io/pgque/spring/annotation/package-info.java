/**
 * The {@link io.pgque.spring.annotation.PgqueListener} annotation and the bean
 * post-processor that turns annotated methods into listener endpoints.
 */
@NullMarked
package io.pgque.spring.annotation;

import org.jspecify.annotations.NullMarked;
