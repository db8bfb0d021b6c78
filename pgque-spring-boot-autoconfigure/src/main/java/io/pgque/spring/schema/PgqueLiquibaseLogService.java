package io.pgque.spring.schema;

import java.util.logging.Level;

import liquibase.logging.Logger;
import liquibase.logging.core.AbstractLogService;
import liquibase.logging.core.AbstractLogger;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Sends Liquibase's log of the engine install to one logger,
 * {@code io.pgque.spring.schema.liquibase}: warnings and errors always, its per-changeset
 * chatter only when that logger is at DEBUG. The starter says itself, in one line, what
 * an install changed.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueLiquibaseLogService extends AbstractLogService {

	private static final Log log = LogFactory.getLog(PgqueLiquibaseLogService.class.getPackageName() + ".liquibase");

	@Override
	public int getPriority() {
		return PRIORITY_SPECIALIZED;
	}

	@Override
	public Logger getLog(Class clazz) {
		return new QuietLogger();
	}

	private static final class QuietLogger extends AbstractLogger {

		@Override
		public void log(Level level, String message, Throwable ex) {
			// OFF is the highest level but means "say nothing" (Liquibase's analytics log
			// at it): read as SEVERE it made an ERROR with a stack trace of an offline
			// machine
			if (level.equals(Level.OFF)) {
				return;
			}
			if (level.intValue() >= Level.SEVERE.intValue()) {
				log.error(message, ex);
			}
			else if (level.intValue() >= Level.WARNING.intValue()) {
				log.warn(message, ex);
			}
			else if (log.isDebugEnabled()) {
				log.debug(message, ex);
			}
		}

	}

}
