package io.pgque.spring.schema;

/**
 * What the starter does with the PgQue engine in the database at start-up.
 *
 * @author pgque-spring-boot authors
 */
public enum PgqueSchemaMode {

	/**
	 * Install the engine, or bring it up to date. Installing twice is a no-op.
	 */
	INSTALL,

	/**
	 * Apply only the receive-lock fix to an existing PgQue installation that predates it.
	 */
	PATCH,

	/**
	 * Change nothing; fail at start-up when the engine is missing, or lacks a function
	 * (with its argument and result types) or a table column the starter uses, naming
	 * each and the features that need it.
	 */
	VALIDATE,

	/**
	 * Change and check nothing.
	 */
	NONE

}
