package io.pgque.spring.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@code ```java} block of README.md or docs/*.md, and the compilation unit it becomes:
 * in a package of its document; as written when it has its own imports (it is then
 * self-contained), otherwise after {@link #IMPORTS}; inside a class when it declares only
 * members.
 *
 * @param document the document, relative to the project root
 * @param line the document line of the snippet's first line
 * @param code the snippet
 */
record DocumentationSnippet(String document, int line, String code) {

	/** The first line that makes a snippet an excerpt, left uncompiled. */
	static final String FRAGMENT_MARKER = "// fragment";

	/** What a snippet without imports of its own may use unqualified. */
	static final List<String> IMPORTS = List.of("java.math.*", "java.time.*", "java.util.*", "java.util.concurrent.*",
			"javax.sql.*", "io.pgque.spring.annotation.*", "io.pgque.spring.autoconfigure.*",
			"io.pgque.spring.config.*", "io.pgque.spring.convert.*", "io.pgque.spring.core.*",
			"io.pgque.spring.listener.*", "io.pgque.spring.listener.error.*", "io.pgque.spring.listener.pipeline.*",
			"io.pgque.spring.listener.source.*", "org.springframework.beans.factory.annotation.*",
			"org.springframework.context.annotation.*", "org.springframework.jdbc.core.*",
			"org.springframework.stereotype.*", "org.springframework.transaction.annotation.*");

	private static final Pattern TYPE_DECLARATION = Pattern.compile("^(\\s*@[\\w.]+(\\((?:[^()]|\\([^()]*\\))*\\))?)*"
			+ "\\s*((public|protected|private|abstract|final|static|sealed)\\s+)*(class|record|interface|enum|@interface)\\b");

	private static final Pattern OWN_IMPORT = Pattern.compile("(?m)^import\\s");

	/**
	 * Every Java snippet of README.md and docs/*.md.
	 * @param root the project root
	 * @return the snippets, in document order
	 * @throws IOException if a document cannot be read
	 */
	static List<DocumentationSnippet> findAll(Path root) throws IOException {
		List<Path> documents = new ArrayList<>();
		documents.add(root.resolve("README.md"));
		try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
			docs.filter((path) -> path.toString().endsWith(".md")).sorted().forEach(documents::add);
		}
		List<DocumentationSnippet> snippets = new ArrayList<>();
		for (Path document : documents) {
			List<String> lines = Files.readAllLines(document);
			String name = root.relativize(document).toString();
			for (int i = 0; i < lines.size(); i++) {
				if (lines.get(i).trim().equals("```java")) {
					int start = i + 1;
					StringBuilder code = new StringBuilder();
					for (i = start; i < lines.size() && !lines.get(i).trim().equals("```"); i++) {
						code.append(lines.get(i)).append('\n');
					}
					snippets.add(new DocumentationSnippet(name, start + 1, code.toString()));
				}
			}
		}
		return snippets;
	}

	boolean isFragment() {
		return this.code.strip().startsWith(FRAGMENT_MARKER);
	}

	/**
	 * The package the document's snippets share, so that one may use a type another
	 * declares: {@code docs/getting-started.md} gives {@code snippets.getting_started}.
	 * @return the package name
	 */
	String packageName() {
		String file = Path.of(this.document).getFileName().toString().replace(".md", "");
		return "snippets." + file.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_");
	}

	/**
	 * The compilation unit.
	 * @param className the class that wraps a snippet of members only
	 * @return the source and how many lines precede the snippet's first line in it
	 */
	Unit unit(String className) {
		StringBuilder source = new StringBuilder("package " + packageName() + ";\n");
		if (!OWN_IMPORT.matcher(this.code).find()) {
			IMPORTS.forEach((name) -> source.append("import ").append(name).append(";\n"));
		}
		boolean members = !TYPE_DECLARATION.matcher(withoutComments()).lookingAt();
		if (members) {
			source.append("class ").append(className).append(" {\n");
		}
		int before = (int) source.chars().filter((c) -> c == '\n').count();
		source.append(this.code);
		if (members) {
			source.append("}\n");
		}
		return new Unit(source.toString(), before);
	}

	private String withoutComments() {
		return this.code.replaceAll("(?m)^\\s*//.*$", "").replaceAll("(?m)^import .*$", "");
	}

	/**
	 * A compilation unit made of a snippet.
	 *
	 * @param source the Java source
	 * @param linesBefore the lines that precede the snippet in it
	 */
	record Unit(String source, int linesBefore) {

	}

}
