package io.pgque.spring.ticker;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import io.pgque.spring.autoconfigure.PgqueAutoConfiguration;
import io.pgque.spring.autoconfigure.PgqueTickerAutoConfiguration;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A ticker statement that runs into its timeout: warned about once, retried with back-off
 * on the same (still working) connection, and the recovery logged once.
 */
@ExtendWith(OutputCaptureExtension.class)
class PgqueTickerStatementTimeoutIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final TickerSql sql = new TickerSql(db.jdbc());

	@Test
	void runWhenTicksTimeOutShouldWarnOnceKeepLeadershipAndRecover(CapturedOutput output) throws Exception {
		this.sql.createQueue("slow", "c");
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgqueAutoConfiguration.class,
					PgqueTickerAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + db.jdbcUrl(), "spring.datasource.username=" + db.user(),
					"spring.datasource.password=" + db.password(), "pgque.schema.mode=none",
					"pgque.ticker.tick-period=50ms", "pgque.ticker.query-timeout=1s", "pgque.ticker.max-backoff=500ms")
			.run((context) -> {
				PgqueTicker ticker = context.getBean(PgqueTicker.class);
				PgqueTickerDeliveryIntegrationTests.awaitLeader(ticker);
				try (Connection blocker = db.newConnection()) {
					blocker.setAutoCommit(false);
					try (Statement statement = blocker.createStatement()) {
						// every ticker() call now waits on the tick table until it times
						// out
						statement.execute("LOCK TABLE pgque.tick IN ACCESS EXCLUSIVE MODE");
					}
					await().atMost(Duration.ofSeconds(5))
						.until(() -> output.toString().contains("ticking failed, retrying with back-off"));
					Thread.sleep(2500);
					assertThat(ticker.isLeader()).isTrue();
					blocker.rollback();
				}
				await().atMost(Duration.ofSeconds(5))
					.until(() -> output.toString().contains("ticking recovered after"));
				long ticks = this.sql.tickCount("slow");
				this.sql.send("slow", "after the timeouts");
				await().atMost(Duration.ofSeconds(2)).until(() -> this.sql.tickCount("slow") > ticks);
			});
		assertThat(output.toString().split("ticking failed, retrying with back-off", -1)).hasSize(2);
		assertThat(output).contains("statement cancelled (pgque.ticker.query-timeout")
			.doesNotContain("the database connection failed");
	}

}
