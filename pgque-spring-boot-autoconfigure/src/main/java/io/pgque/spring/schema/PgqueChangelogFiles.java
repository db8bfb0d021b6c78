package io.pgque.spring.schema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a changelog and the files it includes from the classpath.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueChangelogFiles {

	private static final Pattern INCLUDE = Pattern.compile("<include\\s+file=\"([^\"]+)\"");

	private PgqueChangelogFiles() {
	}

	/**
	 * The classpath locations of the files a changelog includes, in order.
	 * @param changelog the changelog's location
	 * @param text the changelog's text
	 * @return the included files' locations
	 */
	static List<String> includes(String changelog, String text) {
		String directory = changelog.substring(0, changelog.lastIndexOf('/') + 1);
		List<String> files = new ArrayList<>();
		Matcher include = INCLUDE.matcher(text);
		while (include.find()) {
			files.add(directory + include.group(1));
		}
		return files;
	}

	static String read(String location, ClassLoader classLoader) {
		try (InputStream in = classLoader.getResourceAsStream(location)) {
			if (in == null) {
				throw new PgqueSchemaException("PgQue changelog file '" + location + "' not found on the classpath");
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new PgqueSchemaException("Could not read PgQue changelog file '" + location + "'", ex);
		}
	}

}
