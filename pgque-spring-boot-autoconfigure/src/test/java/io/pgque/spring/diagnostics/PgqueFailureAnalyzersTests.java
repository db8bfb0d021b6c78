package io.pgque.spring.diagnostics;

import java.net.URL;
import java.sql.SQLException;
import java.util.Enumeration;
import java.util.Properties;

import javax.sql.DataSource;

import io.pgque.spring.autoconfigure.PgqueAutoConfiguration;
import io.pgque.spring.core.PgqueInvalidNameException;
import io.pgque.spring.core.PgqueNames;
import io.pgque.spring.listener.pipeline.PgqueTransactionManagerMismatchException;
import io.pgque.spring.schema.PgqueEngineNotInstalledException;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.UrlResource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.core.io.support.PropertiesLoaderUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The failure analyzers: each names the cause and the fix, and is registered.
 */
class PgqueFailureAnalyzersTests {

	@Test
	void analyzeWhenEngineIsMissingShouldNameTheModeProperty() {
		FailureAnalysis analysis = new PgqueEngineNotInstalledFailureAnalyzer().analyze(
				new BeanCreationException("pgqueSchemaInitializer", "failed", new PgqueEngineNotInstalledException()));
		assertThat(analysis.getDescription()).contains("not installed").contains("pgque.schema.mode=validate");
		assertThat(analysis.getAction()).contains("pgque.schema.mode=install");
	}

	@Test
	void analyzeWhenListenerNameIsInvalidShouldNameTheMethodAndTheAttributes() {
		PgqueInvalidNameException invalid = new PgqueInvalidNameException("queue", " orders", "padded");
		IllegalArgumentException endpoint = new IllegalArgumentException(
				"Listener method Billing.handle(String): " + invalid.getMessage(), invalid);
		FailureAnalysis analysis = new PgqueInvalidNameFailureAnalyzer()
			.analyze(new BeanCreationException("billing", "failed", endpoint));
		assertThat(analysis.getDescription()).contains("Billing.handle(String)").contains("' orders'");
		assertThat(analysis.getAction()).contains("@PgqueListener queue and consumer");
	}

	@Test
	void analyzeWhenTheTransactionManagerManagesAnotherDataSourceShouldNameTheProperty() {
		FailureAnalysis analysis = new PgqueTransactionManagerMismatchFailureAnalyzer()
			.analyze(new BeanCreationException("pgqueListenerContainerRegistry", "failed",
					new PgqueTransactionManagerMismatchException("orders/billing", "com.example.OtherManager")));
		assertThat(analysis.getDescription()).contains("orders/billing")
			.contains("com.example.OtherManager")
			.contains("does not manage the PgQue DataSource");
		assertThat(analysis.getAction()).contains("pgque.listener.transaction-manager");
	}

	@Test
	void analyzeWhenADeclaredQueueNameIsTooLongShouldNameTheQueuesProperty() {
		String name = "q".repeat(PgqueNames.MAX_NAME_BYTES + 1);
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(PgqueAutoConfiguration.class))
			.withBean(DataSource.class,
					() -> new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/pgque", "u", "p"))
			.withPropertyValues("pgque.schema.mode=none", "pgque.queues." + name + ".max-retries=3")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new PgqueInvalidNameFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains("Invalid PgQue queue name")
					.contains("at most " + PgqueNames.MAX_NAME_BYTES);
				assertThat(analysis.getAction()).contains("Give the queue").contains("pgque.queues");
			});
	}

	@Test
	void analyzeWhenAMappedTypeNameIsBlankShouldNameTheTypeMappingsProperty() {
		FailureAnalysis analysis = new PgqueInvalidNameFailureAnalyzer().analyze(new BeanCreationException(
				"pgqueTypeMapper", "failed", new PgqueInvalidNameException("type", " ", "must not be blank")));
		assertThat(analysis.getDescription()).contains("Invalid PgQue type name");
		assertThat(analysis.getAction()).contains("event type").contains("pgque.template.type-mappings");
	}

	@Test
	void analyzeWhenPgqueCannotReachItsDatabaseShouldNameTheUrlProperty() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(PgqueAutoConfiguration.class))
			.withBean(DataSource.class,
					() -> new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/pgque", "u", "p"))
			.withPropertyValues("pgque.schema.mode=install")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new PgqueDatabaseUnreachableFailureAnalyzer()
					.analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains("PgQue could not connect to its database")
					.contains("127.0.0.1:1");
				assertThat(analysis.getAction()).contains("spring.datasource.url").contains("@PgqueDataSource");
			});
	}

	@Test
	void analyzeWhenTheApplicationCannotReachADatabaseShouldLeaveItToOthers() {
		SQLException refused = new SQLException("Connection refused", "08001");
		refused.setStackTrace(new StackTraceElement[] { new StackTraceElement("com.example.Repo", "find", null, 1) });
		BeanCreationException failure = new BeanCreationException("repo", "failed", refused);
		failure.setStackTrace(refused.getStackTrace());
		assertThat(new PgqueDatabaseUnreachableFailureAnalyzer().analyze(failure)).isNull();
	}

	@Test
	void analyzersShouldBeRegistered() throws Exception {
		StringBuilder registered = new StringBuilder();
		Enumeration<URL> files = getClass().getClassLoader().getResources("META-INF/spring.factories");
		while (files.hasMoreElements()) {
			Properties properties = PropertiesLoaderUtils.loadProperties(new UrlResource(files.nextElement()));
			registered.append(properties.getProperty(FailureAnalyzer.class.getName(), "")).append(',');
		}
		assertThat(registered.toString()).contains(PgqueEngineNotInstalledFailureAnalyzer.class.getName())
			.contains(PgqueInvalidNameFailureAnalyzer.class.getName())
			.contains(PgqueTransactionManagerMismatchFailureAnalyzer.class.getName())
			.contains(PgqueDatabaseUnreachableFailureAnalyzer.class.getName());
	}

}
