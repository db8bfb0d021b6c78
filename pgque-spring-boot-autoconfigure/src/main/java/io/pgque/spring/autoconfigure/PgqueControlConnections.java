package io.pgque.spring.autoconfigure;

import java.sql.SQLException;
import java.util.OptionalInt;
import java.util.Properties;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.util.ClassUtils;

/**
 * Where the starter opens its long-lived session connections (lease locks, LISTEN, ticker
 * leadership): outside the application's pool, with the pool's own URL, credentials and
 * driver properties, so they can never starve it. Each holder keeps one such connection
 * and opens a new one when it breaks.
 * <p>
 * Only a HikariCP pool with a JDBC URL reveals its settings; any other DataSource is used
 * as it is, and then those connections count against its size.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueControlConnections {

	private static final Log logger = LogFactory.getLog(PgqueControlConnections.class);

	private static final boolean hikariPresent = ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource",
			PgqueControlConnections.class.getClassLoader());

	private PgqueControlConnections() {
	}

	/**
	 * A DataSource opening unpooled connections with the settings of the given pool, or
	 * the pool itself when its settings cannot be read.
	 * @param pool the PgQue DataSource
	 * @return where to open session connections
	 */
	static DataSource of(DataSource pool) {
		DataSource direct = hikariPresent ? Hikari.direct(pool) : null;
		if (direct == null) {
			logger.debug("PgQue session connections (leases, LISTEN, ticker leadership) come from the pool: "
					+ "its settings cannot be read");
			return pool;
		}
		return direct;
	}

	/**
	 * Whether {@link #of(DataSource)} opens its connections outside the given pool.
	 * @param pool the PgQue DataSource
	 * @return whether the session connections leave the pool alone
	 */
	static boolean isOutsidePool(DataSource pool) {
		return hikariPresent && Hikari.direct(pool) != null;
	}

	/**
	 * The most connections the pool hands out, when it can tell.
	 * @param pool the PgQue DataSource
	 * @return its maximum size, or empty if unknown
	 */
	static OptionalInt maximumPoolSize(DataSource pool) {
		return hikariPresent ? Hikari.maximumPoolSize(pool) : OptionalInt.empty();
	}

	// loaded only when HikariCP is on the classpath
	private static final class Hikari {

		static @Nullable DataSource direct(DataSource pool) {
			HikariDataSource hikari = unwrap(pool);
			if (hikari == null || hikari.getJdbcUrl() == null) {
				return null;
			}
			DriverManagerDataSource direct = new DriverManagerDataSource(hikari.getJdbcUrl());
			Properties properties = new Properties();
			properties.putAll(hikari.getDataSourceProperties());
			direct.setConnectionProperties(properties);
			if (hikari.getUsername() != null) {
				direct.setUsername(hikari.getUsername());
			}
			if (hikari.getPassword() != null) {
				direct.setPassword(hikari.getPassword());
			}
			return direct;
		}

		static OptionalInt maximumPoolSize(DataSource pool) {
			HikariDataSource hikari = unwrap(pool);
			return (hikari != null) ? OptionalInt.of(hikari.getMaximumPoolSize()) : OptionalInt.empty();
		}

		private static @Nullable HikariDataSource unwrap(DataSource dataSource) {
			try {
				return dataSource.isWrapperFor(HikariDataSource.class) ? dataSource.unwrap(HikariDataSource.class)
						: null;
			}
			catch (SQLException ex) {
				return null;
			}
		}

	}

}
