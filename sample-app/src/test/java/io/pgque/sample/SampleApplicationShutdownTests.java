package io.pgque.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample as a real process, as {@code spring-boot:run} starts it: it takes an order,
 * bills and ships it, and on SIGTERM (what Ctrl-C amounts to for the JVM) stops its
 * listeners, then the embedded PostgreSQL, and exits without a warning, an error or a
 * stack trace. A context closed inside the test JVM would not prove it: the JVM's
 * shutdown hooks run concurrently, and a database stopped by its own hook fails the
 * listeners still at work.
 */
class SampleApplicationShutdownTests {

	private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");

	private final List<String> output = new CopyOnWriteArrayList<>();

	private final CountDownLatch started = new CountDownLatch(1);

	@Test
	void sigtermStopsTheApplicationThenTheDatabaseQuietly() throws Exception {
		Process process = start();
		try {
			assertThat(this.started.await(90, TimeUnit.SECONDS)).as("started, output:%n%s", text()).isTrue();
			RestClient http = RestClient.create("http://localhost:" + port());
			String order = "{\"customer\":\"dave\",\"amount\":5,\"address\":\"4 Dock Lane\"}";
			http.post()
				.uri("/orders")
				.contentType(MediaType.APPLICATION_JSON)
				.body(order)
				.retrieve()
				.toBodilessEntity();
			// both consumers have handled the order: the stop below is what is
			// tested, not a race between it and the slower consumer's first batch
			awaitLine("shipping: order");
			awaitLine("billing: invoiced order");
			process.destroy();
			assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited, output:%n%s", text()).isTrue();
		}
		finally {
			process.destroyForcibly();
		}
		// 143 = 128 + SIGTERM: the JVM ran its shutdown hooks and exited
		assertThat(process.exitValue()).as(text()).isEqualTo(143);
		assertThat(this.output).as(text())
			.noneMatch((line) -> line.contains(" WARN ") || line.contains(" ERROR ") || line.contains("Exception")
					|| line.startsWith("\tat "));
		assertThat(text()).contains("billing: invoiced order").contains("shipping: order");
		System.out.println("Start-up log: " + startupLines() + " lines from the banner to 'Started'");
	}

	private int startupLines() {
		int banner = 0;
		while (banner < this.output.size() && !this.output.get(banner).contains(":: Spring Boot ::")) {
			banner++;
		}
		int started = banner;
		while (started < this.output.size() && !this.output.get(started).contains("Started SampleApplication")) {
			started++;
		}
		// the banner's picture sits above its ":: Spring Boot ::" line
		return started - banner + 1 + 7;
	}

	private Process start() throws IOException {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
				SampleApplication.class.getName(), "--server.port=0")
			.redirectErrorStream(true)
			.start();
		Thread reader = new Thread(() -> read(process), "sample-output");
		reader.setDaemon(true);
		reader.start();
		return process;
	}

	private void read(Process process) {
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
			for (String line = lines.readLine(); line != null; line = lines.readLine()) {
				this.output.add(line);
				if (line.contains("Started SampleApplication")) {
					this.started.countDown();
				}
			}
		}
		catch (IOException ex) {
			// the process is gone; the assertions say what was read
		}
	}

	private int port() {
		for (String line : this.output) {
			Matcher matcher = PORT.matcher(line);
			if (matcher.find()) {
				return Integer.parseInt(matcher.group(1));
			}
		}
		throw new AssertionError("No port in the output:\n" + text());
	}

	private void awaitLine(String fragment) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (this.output.stream().noneMatch((line) -> line.contains(fragment))) {
			assertThat(System.nanoTime()).as("a line with '%s', output:%n%s", fragment, text()).isLessThan(deadline);
			Thread.sleep(50);
		}
	}

	private String text() {
		return String.join("\n", this.output);
	}

}
