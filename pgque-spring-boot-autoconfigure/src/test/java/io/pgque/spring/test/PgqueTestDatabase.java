package io.pgque.spring.test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pgque.spring.schema.PgqueChangelogs;
import io.pgque.spring.schema.PgqueLiquibaseRunner;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A fresh database for one test class on the run's {@link PostgresServer}, dropped after
 * the class. Register it as a static field:
 *
 * <pre>
 * &#64;RegisterExtension
 * static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();
 * </pre>
 */
public final class PgqueTestDatabase implements BeforeAllCallback, AfterAllCallback {

	private static final AtomicInteger counter = new AtomicInteger();

	private final boolean installEngine;

	private String name;

	private HikariDataSource dataSource;

	private PgqueTestDatabase(boolean installEngine) {
		this.installEngine = installEngine;
	}

	/**
	 * A fresh database with the PgQue engine installed.
	 * @return the extension
	 */
	public static PgqueTestDatabase withEngine() {
		return new PgqueTestDatabase(true);
	}

	/**
	 * A fresh, empty database.
	 * @return the extension
	 */
	public static PgqueTestDatabase empty() {
		return new PgqueTestDatabase(false);
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		String className = context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT);
		this.name = "t" + counter.incrementAndGet() + "_" + ProcessHandle.current().pid() + "_"
				+ className.substring(0, Math.min(className.length(), 40));
		server().executeInMaintenanceDatabase("CREATE DATABASE " + this.name);
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(jdbcUrl());
		config.setUsername(server().user());
		config.setPassword(server().password());
		config.setMaximumPoolSize(20);
		config.setPoolName("test-" + this.name);
		this.dataSource = new HikariDataSource(config);
		if (this.installEngine) {
			new PgqueLiquibaseRunner(this.dataSource).update(PgqueChangelogs.ENGINE);
		}
	}

	@Override
	public void afterAll(ExtensionContext context) {
		if (this.dataSource != null) {
			this.dataSource.close();
		}
		server().executeInMaintenanceDatabase("DROP DATABASE IF EXISTS " + this.name + " WITH (FORCE)");
	}

	private PostgresServer server() {
		return PostgresServer.get();
	}

	/**
	 * The database's name.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * The JDBC URL of this database.
	 * @return the URL
	 */
	public String jdbcUrl() {
		return server().jdbcUrl(this.name);
	}

	public String user() {
		return server().user();
	}

	public String password() {
		return server().password();
	}

	/**
	 * A pooled DataSource on this database (at most 20 connections).
	 * @return the DataSource
	 */
	public DataSource dataSource() {
		return this.dataSource;
	}

	/**
	 * A JdbcTemplate on {@link #dataSource()}; each call commits alone.
	 * @return the template
	 */
	public JdbcTemplate jdbc() {
		return new JdbcTemplate(this.dataSource);
	}

	/**
	 * A new, unpooled connection, for tests that need sessions of their own (e.g. two
	 * concurrent transactions). The caller closes it.
	 * @return the connection
	 */
	public Connection newConnection() {
		try {
			return DriverManager.getConnection(jdbcUrl(), user(), password());
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not connect to " + jdbcUrl(), ex);
		}
	}

}
