package io.pgque.spring.ticker;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import io.pgque.spring.autoconfigure.PgqueAutoConfiguration;
import io.pgque.spring.autoconfigure.PgqueTickerAutoConfiguration;
import io.pgque.spring.schema.PgqueChangelogs;
import io.pgque.spring.schema.PgqueLiquibaseRunner;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The embedded ticker survives its database restarting. Restarting the shared test server
 * would break other test classes, so this test runs a PostgreSQL of its own, stopped and
 * started again on the same data directory and port.
 */
@ExtendWith(OutputCaptureExtension.class)
class PgqueTickerRestartIntegrationTests {

	@TempDir
	Path dataDirectory;

	private EmbeddedPostgres postgres;

	@AfterEach
	void stopPostgres() throws IOException {
		if (this.postgres != null) {
			this.postgres.close();
		}
	}

	@Test
	void runWhenTheDatabaseRestartsShouldResumeTicking(CapturedOutput output) throws IOException {
		int port = freePort();
		this.postgres = startPostgres(port);
		String url = "jdbc:postgresql://localhost:" + port + "/postgres";
		DriverManagerDataSource unpooled = new DriverManagerDataSource(url, "postgres", "postgres");
		new PgqueLiquibaseRunner(unpooled).update(PgqueChangelogs.ENGINE);
		TickerSql sql = new TickerSql(new JdbcTemplate(unpooled));
		sql.createQueue("orders", "billing");
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgqueAutoConfiguration.class,
					PgqueTickerAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + url, "spring.datasource.username=postgres",
					"spring.datasource.password=postgres", "spring.datasource.hikari.connection-timeout=1000",
					"pgque.schema.mode=none", "pgque.ticker.tick-period=50ms", "pgque.ticker.max-backoff=1s")
			.run((context) -> {
				PgqueTicker ticker = context.getBean(PgqueTicker.class);
				await().atMost(Duration.ofSeconds(5)).until(ticker::isLeader);
				assertTicks(sql);

				this.postgres.close();
				await().atMost(Duration.ofSeconds(5)).until(() -> !ticker.isLeader());
				Thread.sleep(2000);
				assertThat(ticker.isRunning()).isTrue();

				long restarted = System.nanoTime();
				this.postgres = startPostgres(port);
				await().atMost(Duration.ofSeconds(15)).until(ticker::isLeader);
				System.out.println("Ticker leader again " + Duration.ofNanos(System.nanoTime() - restarted).toMillis()
						+ " ms after the database restarted");
				assertTicks(sql);
			});
		assertThat(output.toString().split("the database connection failed, retrying", -1)).hasSize(2);
		assertThat(output).contains("the database connection recovered after");
	}

	private static void assertTicks(TickerSql sql) {
		long ticks = sql.tickCount("orders");
		sql.send("orders", "event");
		await().atMost(Duration.ofSeconds(3)).until(() -> sql.tickCount("orders") > ticks);
	}

	private EmbeddedPostgres startPostgres(int port) throws IOException {
		return EmbeddedPostgres.builder()
			.setDataDirectory(this.dataDirectory)
			.setCleanDataDirectory(false)
			.setPort(port)
			.setServerConfig("fsync", "off")
			.start();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
