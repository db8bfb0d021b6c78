package io.pgque.spring.test;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import io.pgque.spring.test.postgres.PgqueDocker;
import io.pgque.spring.test.postgres.PgqueEmbeddedPostgres;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The one PostgreSQL server of a test run, found or started on first use:
 * <ol>
 * <li>the server named by {@code PGQUE_TEST_JDBC_URL} (with {@code PGQUE_TEST_USER} and
 * {@code PGQUE_TEST_PASSWORD}), pointing at any database a superuser can connect to;</li>
 * <li>otherwise a Testcontainers {@code postgres} container when a Docker engine
 * answers;</li>
 * <li>otherwise an embedded PostgreSQL started from Maven artifacts (zonky), whose
 * version the build chooses with {@code pgque.test.postgres.version}.</li>
 * </ol>
 * Every test class gets a fresh database on it through {@link PgqueTestDatabase}.
 */
public final class PostgresServer {

	private static PostgresServer instance;

	private final String host;

	private final int port;

	private final String user;

	private final String password;

	private final String description;

	private final Runnable stop;

	private PostgresServer(String host, int port, String user, String password, String description, Runnable stop) {
		this.host = host;
		this.port = port;
		this.user = user;
		this.password = password;
		this.description = description;
		this.stop = stop;
	}

	/**
	 * The server of this test run, started on first use and stopped when the JVM exits.
	 * @return the server
	 */
	public static synchronized PostgresServer get() {
		if (instance == null) {
			instance = start();
			Runtime.getRuntime().addShutdownHook(new Thread(instance.stop, "pgque-test-postgres-stop"));
		}
		return instance;
	}

	private static PostgresServer start() {
		String url = System.getenv("PGQUE_TEST_JDBC_URL");
		if (url != null && !url.isBlank()) {
			return external(url);
		}
		if (PgqueDocker.available()) {
			return container();
		}
		return embedded();
	}

	private static PostgresServer external(String url) {
		// jdbc:postgresql://host:port/db?...
		String rest = url.substring("jdbc:postgresql://".length());
		String hostPort = rest.substring(0, rest.indexOf('/'));
		String host = hostPort.contains(":") ? hostPort.substring(0, hostPort.indexOf(':')) : hostPort;
		int port = hostPort.contains(":") ? Integer.parseInt(hostPort.substring(hostPort.indexOf(':') + 1)) : 5432;
		String user = envOr("PGQUE_TEST_USER", "postgres");
		String password = envOr("PGQUE_TEST_PASSWORD", "");
		return new PostgresServer(host, port, user, password, "external server " + hostPort, () -> {
		});
	}

	@SuppressWarnings("resource")
	private static PostgresServer container() {
		String image = "postgres:" + majorVersion();
		PostgreSQLContainer container = new PostgreSQLContainer(image).withCommand("postgres", "-c",
				"max_connections=300");
		container.start();
		return new PostgresServer(container.getHost(), container.getFirstMappedPort(), container.getUsername(),
				container.getPassword(), "Testcontainers " + image, container::stop);
	}

	// the server pgque-spring-boot-test gives users' tests: one fallback for both
	private static PostgresServer embedded() {
		PgqueEmbeddedPostgres postgres = PgqueEmbeddedPostgres.get();
		return new PostgresServer("localhost", postgres.port(), "postgres", "postgres",
				"embedded PostgreSQL " + majorVersion() + " on port " + postgres.port(), () -> {
					// it stops itself when the JVM exits
				});
	}

	// The zonky binaries version the build selected, e.g. 17.6.0 -> 17.
	private static String majorVersion() {
		try (InputStream in = PostgresServer.class.getResourceAsStream("/pgque-test.properties")) {
			Properties properties = new Properties();
			if (in != null) {
				properties.load(in);
			}
			String version = properties.getProperty("postgres.version", "17");
			return version.contains(".") ? version.substring(0, version.indexOf('.')) : version;
		}
		catch (IOException ex) {
			return "17";
		}
	}

	private static String envOr(String name, String fallback) {
		String value = System.getenv(name);
		return (value != null) ? value : fallback;
	}

	/**
	 * The JDBC URL of a database on this server.
	 * @param database the database name
	 * @return the URL
	 */
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://" + this.host + ":" + this.port + "/" + database;
	}

	public String host() {
		return this.host;
	}

	public int port() {
		return this.port;
	}

	public String user() {
		return this.user;
	}

	public String password() {
		return this.password;
	}

	public String description() {
		return this.description;
	}

	/**
	 * Run a statement in the {@code postgres} maintenance database, e.g. to create or
	 * drop a database.
	 * @param sql the statement
	 */
	public void executeInMaintenanceDatabase(String sql) {
		try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), this.user, this.password);
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Failed on " + this.description + ": " + sql, ex);
		}
	}

}
