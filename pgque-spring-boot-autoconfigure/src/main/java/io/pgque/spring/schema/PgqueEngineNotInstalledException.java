package io.pgque.spring.schema;

/**
 * Thrown at start-up in {@code pgque.schema.mode=validate} when the database has no PgQue
 * engine.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueEngineNotInstalledException extends PgqueSchemaException {

	public PgqueEngineNotInstalledException() {
		super("pgque.schema.mode=validate but the PgQue engine is not installed (function pgque.version() not"
				+ " found); install it or set pgque.schema.mode=install");
	}

}
