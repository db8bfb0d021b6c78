package io.pgque.spring.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's re-runnable changesets all keep their comments
 * ({@code stripComments:false}), so every file's functions are installed the same way.
 * Run-once changesets are left as they are: changing their attributes changes the
 * checksum validated on existing installs.
 */
class EngineChangesetAttributesTests {

	@Test
	void everyRerunnableChangesetKeepsItsComments() throws IOException {
		List<String> stripping = new ArrayList<>();
		for (Resource sql : new PathMatchingResourcePatternResolver()
			.getResources("classpath*:io/pgque/db/changelog/engine/*.sql")) {
			for (String line : sql.getContentAsString(StandardCharsets.UTF_8).split("\n")) {
				if (line.startsWith("--changeset ") && line.contains("runOnChange:true")
						&& !line.contains("stripComments:false")) {
					stripping.add(sql.getFilename() + ": " + line);
				}
			}
		}
		assertThat(stripping).isEmpty();
	}

}
