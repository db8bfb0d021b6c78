package io.pgque.spring.test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * A real PgBouncer (Debian's {@code pgbouncer} package) in front of the run's
 * {@link PostgresServer}, started as a process from a pgbouncer.ini written to a temp
 * directory. Tests that need one call {@link #start}; where the binary is absent they are
 * skipped with a message saying how to install it. PgBouncer refuses to run as root, so
 * under root it is told to switch to {@code nobody}.
 * <p>
 * Clients connect with any user name; PgBouncer logs in to PostgreSQL as the server's
 * user. URLs carry {@code prepareThreshold=0}, what PgBouncer before 1.21 needs in
 * transaction mode. Its admin console is left alone: pgjdbc cannot talk to it (it takes
 * PgBouncer's version for an old server's and sends SETs).
 */
public final class PgBouncer implements AutoCloseable {

	private static final String[] BINARIES = { "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer",
			"/usr/local/bin/pgbouncer" };

	private final Process process;

	private final Path directory;

	private final int port;

	private PgBouncer(Process process, Path directory, int port) {
		this.process = process;
		this.directory = directory;
		this.port = port;
	}

	/**
	 * Start a PgBouncer, or skip the test when the binary is not installed.
	 * @param poolMode {@code transaction} or {@code session}
	 * @param defaultPoolSize server connections per (database, user)
	 * @return the running PgBouncer
	 */
	public static PgBouncer start(String poolMode, int defaultPoolSize) {
		String binary = binary();
		Assumptions.assumeTrue(binary != null, "PgBouncer is not installed (looked for " + String.join(", ", BINARIES)
				+ "); install it with 'apt-get install -y pgbouncer' to run the pooler tests");
		PostgresServer server = PostgresServer.get();
		try {
			Path directory = Files.createTempDirectory("pgque-pgbouncer");
			// readable by the user PgBouncer switches to
			Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
			int port = freePort();
			Path ini = directory.resolve("pgbouncer.ini");
			Files.writeString(ini, """
					[databases]
					* = host=%s port=%d user=%s password=%s
					[pgbouncer]
					listen_addr = 127.0.0.1
					listen_port = %d
					unix_socket_dir =
					auth_type = any
					pool_mode = %s
					default_pool_size = %d
					max_client_conn = 500
					server_reset_query_always = 0
					ignore_startup_parameters = extra_float_digits,options
					""".formatted(server.host(), server.port(), server.user(), server.password(), port, poolMode,
					defaultPoolSize));
			Files.setPosixFilePermissions(ini, PosixFilePermissions.fromString("rw-r--r--"));
			List<String> command = new ArrayList<>(List.of(binary));
			if ("root".equals(System.getProperty("user.name"))) {
				command.addAll(List.of("-u", "nobody"));
			}
			command.add(ini.toString());
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(directory.resolve("pgbouncer.log").toFile())
				.start();
			PgBouncer bouncer = new PgBouncer(process, directory, port);
			bouncer.awaitListening();
			return bouncer;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start PgBouncer", ex);
		}
	}

	private static String binary() {
		for (String candidate : BINARIES) {
			if (new File(candidate).canExecute()) {
				return candidate;
			}
		}
		return null;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private void awaitListening() throws IOException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("PgBouncer exited at start: " + log());
			}
			try (Socket socket = new Socket("127.0.0.1", this.port)) {
				return;
			}
			catch (IOException ex) {
				sleep(50);
			}
		}
		throw new IllegalStateException("PgBouncer did not listen on " + this.port + ": " + log());
	}

	/**
	 * What PgBouncer logged so far.
	 * @return the log
	 */
	public String log() {
		try {
			return Files.readString(this.directory.resolve("pgbouncer.log"));
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	/**
	 * The JDBC URL of a database through this PgBouncer.
	 * @param database the database
	 * @return the URL, with {@code prepareThreshold=0}
	 */
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/" + database + "?prepareThreshold=0";
	}

	/**
	 * The local ports of PgBouncer's connections to PostgreSQL (its server connections),
	 * read from /proc: PostgreSQL shows them as {@code pg_stat_activity.client_port}.
	 * @return the ports
	 */
	public List<Integer> serverPorts() {
		int serverPort = PostgresServer.get().port();
		Set<String> sockets = new HashSet<>();
		try (var fds = Files.list(Path.of("/proc", Long.toString(this.process.pid()), "fd"))) {
			for (Path fd : fds.toList()) {
				String target = Files.readSymbolicLink(fd).toString();
				if (target.startsWith("socket:[")) {
					sockets.add(target.substring(8, target.length() - 1));
				}
			}
			List<Integer> ports = new ArrayList<>();
			for (String table : List.of("tcp", "tcp6")) {
				Path file = Path.of("/proc", Long.toString(this.process.pid()), "net", table);
				if (!Files.exists(file)) {
					continue;
				}
				for (String line : Files.readAllLines(file).subList(1, Files.readAllLines(file).size())) {
					// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout
					// inode
					String[] fields = line.trim().split("\\s+");
					int remotePort = Integer.parseInt(fields[2].substring(fields[2].indexOf(':') + 1), 16);
					if (remotePort == serverPort && sockets.contains(fields[9])) {
						ports.add(Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1), 16));
					}
				}
			}
			return ports;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not read PgBouncer's sockets", ex);
		}
	}

	/**
	 * Kill PgBouncer at once (SIGKILL): its clients can no longer reach the database.
	 */
	public void kill() {
		this.process.destroyForcibly();
		try {
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Freeze PgBouncer (SIGSTOP): its clients hang as in a network partition or a stalled
	 * host, their server sessions stay open.
	 */
	public void pause() {
		signal("STOP");
	}

	/**
	 * Let a {@linkplain #pause() paused} PgBouncer go on (SIGCONT).
	 */
	public void resume() {
		signal("CONT");
	}

	private void signal(String name) {
		try {
			Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(this.process.pid())).inheritIO()
				.start();
			if (kill.waitFor() != 0) {
				throw new IllegalStateException("kill -" + name + " failed for " + this);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		kill();
		try (var files = Files.list(this.directory)) {
			for (Path file : files.toList()) {
				Files.deleteIfExists(file);
			}
			Files.deleteIfExists(this.directory);
		}
		catch (IOException ex) {
			// a temp directory left behind
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public String toString() {
		return "PgBouncer on 127.0.0.1:" + this.port;
	}

}
