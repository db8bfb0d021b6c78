package io.pgque.spring.listener.source;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Lets a connection pool see that a connection failed where the pool could not watch (on
 * the driver's own connection, or in {@code isValid}), so that the pool drops it instead
 * of handing it to the application.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueBrokenConnections {

	private static final Log logger = LogFactory.getLog(PgqueBrokenConnections.class);

	private PgqueBrokenConnections() {
	}

	/**
	 * Run a trivial statement through the pool's handle: it fails on a broken connection,
	 * and the pool, seeing that, retires it. A healthy connection just answers.
	 * @param connection the pool's handle
	 */
	static void reveal(Connection connection) {
		try (Statement st = connection.createStatement()) {
			st.execute("SELECT 1");
		}
		catch (SQLException ex) {
			logger.debug("Connection is broken", ex);
		}
	}

}
