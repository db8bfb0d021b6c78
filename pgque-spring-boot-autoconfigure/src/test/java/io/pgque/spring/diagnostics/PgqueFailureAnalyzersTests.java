package io.pgque.spring.diagnostics;

import java.net.URL;
import java.util.Enumeration;
import java.util.Properties;

import io.pgque.spring.core.PgqueInvalidNameException;
import io.pgque.spring.schema.PgqueEngineNotInstalledException;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.UrlResource;
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
	void analyzersShouldBeRegistered() throws Exception {
		StringBuilder registered = new StringBuilder();
		Enumeration<URL> files = getClass().getClassLoader().getResources("META-INF/spring.factories");
		while (files.hasMoreElements()) {
			Properties properties = PropertiesLoaderUtils.loadProperties(new UrlResource(files.nextElement()));
			registered.append(properties.getProperty(FailureAnalyzer.class.getName(), "")).append(',');
		}
		assertThat(registered.toString()).contains(PgqueEngineNotInstalledFailureAnalyzer.class.getName())
			.contains(PgqueInvalidNameFailureAnalyzer.class.getName());
	}

}
