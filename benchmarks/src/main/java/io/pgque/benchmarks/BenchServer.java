package io.pgque.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL server the benchmarks run on: the one {@code PGQUE_TEST_JDBC_URL} names
 * (with {@code PGQUE_TEST_USER} and {@code PGQUE_TEST_PASSWORD}), or an embedded one
 * started for the run and stopped at its end.
 */
final class BenchServer implements AutoCloseable {

	private final String jdbcUrl;

	private final String user;

	private final String password;

	private final @Nullable EmbeddedPostgres embedded;

	private BenchServer(String jdbcUrl, String user, String password, @Nullable EmbeddedPostgres embedded) {
		this.jdbcUrl = jdbcUrl;
		this.user = user;
		this.password = password;
		this.embedded = embedded;
	}

	static BenchServer start() {
		String url = System.getenv("PGQUE_TEST_JDBC_URL");
		if (url != null && !url.isBlank()) {
			return new BenchServer(url, envOr("PGQUE_TEST_USER", "postgres"), envOr("PGQUE_TEST_PASSWORD", ""), null);
		}
		try {
			// No durability needed: commits cost no disk flush, so what is measured is
			// the
			// work of the statements, not the disk of a shared machine.
			EmbeddedPostgres postgres = EmbeddedPostgres.builder()
				.setServerConfig("max_connections", "100")
				.setServerConfig("fsync", "off")
				.setServerConfig("synchronous_commit", "off")
				.setServerConfig("full_page_writes", "off")
				.start();
			try (Connection connection = DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres"),
					"postgres", "postgres"); Statement statement = connection.createStatement()) {
				statement.execute("CREATE DATABASE pgque_bench");
			}
			return new BenchServer(postgres.getJdbcUrl("postgres", "pgque_bench"), "postgres", "postgres", postgres);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start the embedded PostgreSQL", ex);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not create the benchmark database", ex);
		}
	}

	private static String envOr(String name, String fallback) {
		String value = System.getenv(name);
		return (value != null) ? value : fallback;
	}

	String jdbcUrl() {
		return this.jdbcUrl;
	}

	String user() {
		return this.user;
	}

	String password() {
		return this.password;
	}

	String description() {
		return (this.embedded != null) ? "embedded PostgreSQL on port " + this.embedded.getPort()
				: "PGQUE_TEST_JDBC_URL";
	}

	@Override
	public void close() throws IOException {
		if (this.embedded != null) {
			this.embedded.close();
		}
	}

}
