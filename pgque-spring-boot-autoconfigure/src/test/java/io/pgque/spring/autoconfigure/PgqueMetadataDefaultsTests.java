package io.pgque.spring.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.BeanWrapper;
import org.springframework.beans.PropertyAccessorFactory;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.convert.ConversionService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The defaults the configuration metadata states are the defaults the properties have at
 * run time. Most defaults are written once, in the options the properties set
 * ({@code PgqueContainerOptions}, {@code PgqueRetrySettings}, {@code PgqueTickerOptions},
 * ...); the configuration processor cannot read those, so
 * {@code additional-spring-configuration-metadata.json} states them, and this test keeps
 * it true.
 */
class PgqueMetadataDefaultsTests {

	private static final String ADDITIONAL = "src/main/resources/META-INF/additional-spring-configuration-metadata.json";

	private final ConversionService conversion = ApplicationConversionService.getSharedInstance();

	@Test
	void everyMetadataDefaultShouldBeTheRuntimeDefault() {
		BeanWrapper defaults = PropertyAccessorFactory.forBeanPropertyAccess(new PgqueProperties());
		List<String> problems = new ArrayList<>();
		int checked = 0;
		for (JsonNode property : readMetadata().path("properties")) {
			String name = property.path("name").asString();
			// pgque.queues.<name>.* has no default: its values belong to a queue
			if (!name.startsWith("pgque.") || name.contains("<")) {
				continue;
			}
			String path = beanPath(name.substring("pgque.".length()));
			if (!defaults.isReadableProperty(path)) {
				problems.add("'" + name + "' in the metadata is no property of PgqueProperties");
				continue;
			}
			checked++;
			Object runtime = defaults.getPropertyValue(path);
			JsonNode stated = property.get("defaultValue");
			if (isUnset(runtime)) {
				if (stated != null) {
					problems.add("'" + name + "' has no default, but the metadata states " + stated);
				}
			}
			else if (stated == null) {
				problems.add("'" + name + "' defaults to " + runtime + ", which the metadata does not state: add"
						+ " {\"name\": \"" + name + "\", \"defaultValue\": ...} to " + ADDITIONAL);
			}
			else if (!runtime.equals(this.conversion.convert(stated.asString(), runtime.getClass()))) {
				problems.add("'" + name + "' defaults to " + runtime + ", but the metadata states " + stated + " (see "
						+ ADDITIONAL + ")");
			}
		}
		if (!problems.isEmpty()) {
			fail(String.join("\n", problems));
		}
		assertThat(checked).isGreaterThan(50);
	}

	private static boolean isUnset(@Nullable Object value) {
		return value == null || (value instanceof Collection<?> collection && collection.isEmpty())
				|| (value instanceof Map<?, ?> map && map.isEmpty());
	}

	// listener.retry.max-attempts -> listener.retry.maxAttempts
	private static String beanPath(String name) {
		StringBuilder path = new StringBuilder();
		boolean upper = false;
		for (char c : name.toCharArray()) {
			if (c == '-') {
				upper = true;
			}
			else {
				path.append(upper ? Character.toUpperCase(c) : c);
				upper = false;
			}
		}
		return path.toString();
	}

	// the starter's own metadata among those of every jar on the class path
	private static JsonNode readMetadata() {
		JsonMapper json = JsonMapper.builder().build();
		try {
			for (URL url : Collections.list(PgqueMetadataDefaultsTests.class.getClassLoader()
				.getResources("META-INF/spring-configuration-metadata.json"))) {
				try (InputStream in = url.openStream()) {
					JsonNode candidate = json.readTree(in);
					for (JsonNode group : candidate.path("groups")) {
						if ("pgque".equals(group.path("name").asString())) {
							return candidate;
						}
					}
				}
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not read the configuration metadata", ex);
		}
		throw new IllegalStateException("No configuration metadata with group 'pgque'");
	}

}
