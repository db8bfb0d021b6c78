package io.pgque.spring.schema;

import java.util.logging.Level;

import liquibase.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PgqueLiquibaseLogService}: what reaches the application's log of Liquibase's
 * messages during an engine install.
 */
@ExtendWith(OutputCaptureExtension.class)
class PgqueLiquibaseLogServiceTests {

	private final Logger logger = new PgqueLiquibaseLogService().getLog(PgqueLiquibaseLogServiceTests.class);

	@Test
	void logWhenLevelIsOffShouldSayNothing(CapturedOutput output) {
		// Liquibase's analytics log at OFF, e.g. the failed download of their
		// configuration
		this.logger.log(Level.OFF, "Failed to load analytics configuration", new IllegalStateException("offline"));
		assertThat(output).doesNotContain("analytics").doesNotContain("offline");
	}

	@Test
	void logWhenSevereOrWarningShouldReachTheLog(CapturedOutput output) {
		this.logger.log(Level.SEVERE, "broken changeset", null);
		this.logger.log(Level.WARNING, "deprecated attribute", null);
		assertThat(output).contains("ERROR")
			.contains("broken changeset")
			.contains("WARN")
			.contains("deprecated attribute");
	}

	@Test
	void logWhenInfoShouldSayNothingAtTheDefaultLevel(CapturedOutput output) {
		this.logger.log(Level.INFO, "Running Changeset", null);
		assertThat(output).doesNotContain("Running Changeset");
	}

}
