package io.pgque.spring.docs;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every Java snippet of README.md and docs/*.md compiles against the starter and this
 * module, or is marked an excerpt by a first line {@code // fragment}. A snippet that no
 * longer compiles fails the build with its document, line and the compiler's message.
 */
class DocumentationSnippetsTests {

	private static final Path ROOT = Path.of("..");

	private static final Pattern PUBLIC_TYPE = Pattern
		.compile("(?m)^public\\s+(?:final\\s+|abstract\\s+)*(?:class|record|interface|enum)\\s+(\\w+)");

	@Test
	void everyJavaSnippetCompilesOrIsMarkedAFragment(@TempDir Path classes) throws IOException {
		List<DocumentationSnippet> snippets = DocumentationSnippet.findAll(ROOT);
		Map<JavaFileObject, DocumentationSnippet> bySource = new LinkedHashMap<>();
		Map<DocumentationSnippet, Integer> linesBefore = new LinkedHashMap<>();
		int fragments = 0;
		for (DocumentationSnippet snippet : snippets) {
			if (snippet.isFragment()) {
				fragments++;
				continue;
			}
			String className = "Snippet" + snippet.line();
			DocumentationSnippet.Unit unit = snippet.unit(className);
			Matcher publicType = PUBLIC_TYPE.matcher(unit.source());
			String fileName = publicType.find() ? publicType.group(1) : className;
			bySource.put(new Source(snippet.packageName().replace('.', '/') + "/" + fileName, unit.source()), snippet);
			linesBefore.put(snippet, unit.linesBefore());
		}
		List<String> problems = compile(bySource, linesBefore, classes);
		System.out
			.println("Documentation snippets: " + bySource.size() + " compiled, " + fragments + " marked as fragments");
		if (!problems.isEmpty()) {
			fail(problems.size() + " Java snippet(s) of the documentation do not compile. Fix the snippet (one "
					+ "with its own import lines is compiled as written; one without gets the imports of "
					+ "DocumentationSnippet.IMPORTS; one declaring only members is wrapped in a class), or, if it "
					+ "is an excerpt, make its first line '" + DocumentationSnippet.FRAGMENT_MARKER
					+ " <what is left out>':\n" + String.join("\n", problems));
		}
		assertThat(bySource).as("compiled snippets").isNotEmpty();
	}

	private static List<String> compile(Map<JavaFileObject, DocumentationSnippet> sources,
			Map<DocumentationSnippet, Integer> linesBefore, Path classes) throws IOException {
		JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
		DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
		String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
		List<String> options = List.of("-classpath", classpath, "-d", classes.toString(), "-proc:none", "-nowarn");
		try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null, null)) {
			compiler.getTask(null, files, diagnostics, options, null, sources.keySet()).call();
		}
		Map<DocumentationSnippet, List<String>> errors = new LinkedHashMap<>();
		for (Diagnostic<? extends JavaFileObject> diagnostic : diagnostics.getDiagnostics()) {
			DocumentationSnippet snippet = sources.get(diagnostic.getSource());
			if (diagnostic.getKind() != Diagnostic.Kind.ERROR || snippet == null) {
				continue;
			}
			long line = snippet.line() + diagnostic.getLineNumber() - 1 - linesBefore.get(snippet);
			String where = (line < snippet.line()) ? "implied imports" : "line " + line;
			String message = String.join("; ", diagnostic.getMessage(null).lines().map(String::strip).toList());
			errors.computeIfAbsent(snippet, (key) -> new ArrayList<>()).add("    " + where + ": " + message);
		}
		List<String> problems = new ArrayList<>();
		errors.forEach((snippet, messages) -> problems.add("- " + snippet.document() + ", snippet at line "
				+ snippet.line() + ":\n" + String.join("\n", messages)));
		return problems;
	}

	private static final class Source extends SimpleJavaFileObject {

		private final String code;

		Source(String path, String code) {
			super(URI.create("string:///" + path + Kind.SOURCE.extension), Kind.SOURCE);
			this.code = code;
		}

		@Override
		public CharSequence getCharContent(boolean ignoreEncodingErrors) {
			return this.code;
		}

	}

}
