package io.pgque.spring.docs;

import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pgque.spring.autoconfigure.PgqueProperties;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.BeanUtils;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.fail;

/**
 * {@code docs/configuration.md} against the configuration metadata the build generates
 * from {@code PgqueProperties} and merges with
 * {@code additional-spring-configuration-metadata.json}: a property without a row, a row
 * without a property, a default that differs, and an enum or bean-name property without
 * value hints each fail, naming the property and what to add where.
 */
class PgqueConfigurationReferenceTests {

	private static final Path REFERENCE = Path.of("..", "docs", "configuration.md");

	private static final String ADDITIONAL = "pgque-spring-boot-autoconfigure/src/main/resources/META-INF/additional-spring-configuration-metadata.json";

	// | `pgque.listener.enabled` | boolean | `true` | meaning |
	private static final Pattern ROW = Pattern
		.compile("^\\| `((?:pgque|management)\\.[^`]+)` \\|([^|]*)\\|([^|]*)\\|(.*)\\|\\s*$");

	private static final String QUEUE_KEY = "pgque.queues.<name>.";

	private static final JsonNode metadata = readMetadata();

	@Test
	void everyPropertyHasARowAndEveryRowAProperty() throws IOException {
		Map<String, JsonNode> properties = properties();
		Map<String, Row> rows = rows();
		List<String> problems = new ArrayList<>();
		properties.forEach((name, property) -> {
			if (!rows.containsKey(name)) {
				problems.add("Property '" + name + "' (" + property.path("type").asString()
						+ ") has no row in docs/configuration.md: add '| `" + name
						+ "` | type | default | meaning |' to the table of its group");
			}
		});
		rows.forEach((name, row) -> {
			JsonNode property = properties.get(name);
			if (property == null) {
				problems.add("docs/configuration.md line " + row.line() + " documents '" + name
						+ "', which is not in the configuration metadata: removed or renamed? (add it to " + ADDITIONAL
						+ " if it is bound without PgqueProperties)");
			}
			else if (property.has("defaultValue") && !row.defaultValue().equals(text(property.get("defaultValue")))) {
				problems.add("docs/configuration.md line " + row.line() + ": the default of '" + name + "' is `"
						+ row.defaultValue() + "` there but `" + text(property.get("defaultValue"))
						+ "` in the metadata");
			}
			if (row.type().isEmpty() || row.meaning().isEmpty()) {
				problems
					.add("docs/configuration.md line " + row.line() + ": '" + name + "' needs a type and a meaning");
			}
		});
		failIfAny(problems);
	}

	@Test
	void enumAndBeanNamePropertiesHaveValueHints() {
		Map<String, JsonNode> hints = new LinkedHashMap<>();
		metadata.path("hints").forEach((hint) -> hints.put(hint.path("name").asString(), hint));
		List<String> problems = new ArrayList<>();
		properties().forEach((name, property) -> {
			Class<?> type = type(property.path("type").asString());
			JsonNode hint = hints.get(name);
			if (type != null && type.isEnum()) {
				Set<String> expected = new TreeSet<>();
				for (Object constant : type.getEnumConstants()) {
					expected.add(((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'));
				}
				Set<String> hinted = new TreeSet<>();
				if (hint != null) {
					hint.path("values").forEach((value) -> hinted.add(value.path("value").asString()));
				}
				if (!hinted.equals(expected)) {
					problems.add("Enum property '" + name + "' has value hints " + hinted + " but its values are "
							+ expected + ": add a hint with a described value each to " + ADDITIONAL);
				}
			}
			if (property.path("description").asString().startsWith("Bean name")
					&& (hint == null || !hint.path("providers").toString().contains("spring-bean-reference"))) {
				problems.add("Bean-name property '" + name
						+ "' has no 'spring-bean-reference' provider hint: add one to " + ADDITIONAL);
			}
		});
		failIfAny(problems);
	}

	@Test
	void everyQueueSettingHasAMetadataKey() {
		// the generator stops at the map: pgque.queues.<name>.* keys are written by hand
		Set<String> expected = new TreeSet<>();
		for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(PgqueProperties.Queue.class)) {
			if (descriptor.getWriteMethod() != null) {
				expected.add(QUEUE_KEY + descriptor.getName().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT));
			}
		}
		Set<String> present = new TreeSet<>(properties().keySet());
		present.removeIf((name) -> !name.startsWith(QUEUE_KEY));
		List<String> problems = new ArrayList<>();
		expected.stream()
			.filter((name) -> !present.contains(name))
			.forEach((name) -> problems.add("Queue setting '" + name + "' has no entry: add it to " + ADDITIONAL));
		present.stream()
			.filter((name) -> !expected.contains(name))
			.forEach((name) -> problems
				.add("'" + name + "' in " + ADDITIONAL + " is no setting of PgqueProperties.Queue"));
		failIfAny(problems);
	}

	private static Map<String, JsonNode> properties() {
		Map<String, JsonNode> properties = new LinkedHashMap<>();
		metadata.path("properties").forEach((property) -> {
			String name = property.path("name").asString();
			if (name.startsWith("pgque.") || name.startsWith("management.health.pgque.")) {
				properties.put(name, property);
			}
		});
		return properties;
	}

	private static Map<String, Row> rows() throws IOException {
		Map<String, Row> rows = new LinkedHashMap<>();
		List<String> lines = Files.readAllLines(REFERENCE);
		for (int i = 0; i < lines.size(); i++) {
			Matcher row = ROW.matcher(lines.get(i));
			if (row.matches()) {
				rows.put(row.group(1),
						new Row(i + 1, row.group(2).trim(), row.group(3).trim().replace("`", ""), row.group(4).trim()));
			}
		}
		return rows;
	}

	// true, 500, 2.0 and "30s" as the reference writes them: true, 500, 2, 30s
	private static String text(JsonNode value) {
		return value.isNumber() ? new BigDecimal(value.asString()).stripTrailingZeros().toPlainString()
				: value.asString();
	}

	private static Class<?> type(String name) {
		String raw = name.contains("<") ? name.substring(0, name.indexOf('<')) : name;
		try {
			return ClassUtils.forName(raw, PgqueConfigurationReferenceTests.class.getClassLoader());
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return null;
		}
	}

	private static void failIfAny(List<String> problems) {
		if (!problems.isEmpty()) {
			fail(problems.size() + " problem(s) between docs/configuration.md and the configuration metadata:\n- "
					+ String.join("\n- ", problems));
		}
	}

	// The starter's own metadata among those of every jar on the class path: the one with
	// group "pgque".
	private static JsonNode readMetadata() {
		JsonMapper json = JsonMapper.builder().build();
		try {
			for (URL url : Collections.list(PgqueConfigurationReferenceTests.class.getClassLoader()
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
		throw new IllegalStateException("No configuration metadata with group 'pgque': was the configuration "
				+ "processor run (compile the module)?");
	}

	private record Row(int line, String type, String defaultValue, String meaning) {

	}

}
