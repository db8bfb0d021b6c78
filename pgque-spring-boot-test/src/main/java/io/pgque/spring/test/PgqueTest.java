package io.pgque.spring.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

/**
 * Makes a {@code @SpringBootTest} application deliver fast and gives it a
 * {@link PgqueTestSupport} bean. Only the test's context changes: ticks every 20 ms,
 * nacked events come back after one second, in-place retries back off for milliseconds,
 * and the ticker moves due retries every 100 ms. Production settings stay as they are; a
 * property the test sets itself wins.
 *
 * <pre class="code">
 * &#64;SpringBootTest
 * &#64;PgqueTest
 * &#64;PgqueTestDatabase
 * class OrderListenerTests {
 *
 *     &#64;Autowired
 *     PgqueTestSupport pgque;
 *
 * }
 * </pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Import(PgqueTestSupportConfiguration.class)
@TestPropertySource(properties = { "pgque.ticker.tick-period=20ms", "pgque.ticker.retry-period=100ms",
		"pgque.listener.failure-delay=200ms", "pgque.listener.retry.initial-back-off=10ms",
		"pgque.listener.retry.max-back-off=50ms", "pgque.listener.retry.retry-delay=1s" })
public @interface PgqueTest {

}
