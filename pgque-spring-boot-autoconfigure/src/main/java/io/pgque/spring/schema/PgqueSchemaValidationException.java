package io.pgque.spring.schema;

import java.util.List;

/**
 * Thrown in {@link PgqueSchemaMode#VALIDATE validate} mode when the engine in the
 * database lacks functions or columns the starter uses, or has them with other types.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueSchemaValidationException extends PgqueSchemaException {

	private final List<String> problems;

	public PgqueSchemaValidationException(List<String> problems) {
		super("pgque.schema.mode=validate: the PgQue engine in the database does not match what this starter uses:\n - "
				+ String.join("\n - ", problems)
				+ "\nBring the engine up to date (pgque.schema.mode=install, or apply pgque.sql with psql),"
				+ " or stop using the features named.");
		this.problems = List.copyOf(problems);
	}

	/**
	 * What is missing or different, one entry each.
	 * @return the problems
	 */
	public List<String> getProblems() {
		return this.problems;
	}

}
