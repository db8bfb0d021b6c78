package io.pgque.spring.test.postgres;

import org.jspecify.annotations.Nullable;

/**
 * Whether tests may use Docker: Testcontainers is on the class path, a Docker engine
 * answers, and {@code -Dpgque.test.docker=false} does not say otherwise. Asked once per
 * JVM: the answer does not change during a run, and asking takes seconds when no engine
 * is there.
 */
public final class PgqueDocker {

	private static volatile @Nullable Boolean available;

	private PgqueDocker() {
	}

	/**
	 * Whether a Docker engine is there for Testcontainers.
	 * @return the answer, computed on first call
	 */
	public static boolean available() {
		Boolean answer = available;
		if (answer == null) {
			answer = !"false".equals(System.getProperty("pgque.test.docker")) && testcontainersPresent()
					&& engineAnswers();
			available = answer;
		}
		return answer;
	}

	private static boolean testcontainersPresent() {
		try {
			Class.forName("org.testcontainers.DockerClientFactory", false, PgqueDocker.class.getClassLoader());
			return true;
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return false;
		}
	}

	private static boolean engineAnswers() {
		try {
			return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException | LinkageError ex) {
			return false;
		}
	}

}
