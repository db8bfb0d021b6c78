package io.pgque.spring.ticker;

import io.pgque.spring.PgqueException;

/**
 * Thrown at start-up when the ticker cannot run as configured, e.g.
 * {@code pgque.ticker.mode=pg-cron} on a database without pg_cron.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueTickerException extends PgqueException {

	public PgqueTickerException(String message) {
		super(message);
	}

	public PgqueTickerException(String message, Throwable cause) {
		super(message, cause);
	}

}
