package io.pgque.spring.schema;

/**
 * Where the engine's changelogs live and which tables record them.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueChangelogs {

	/**
	 * The whole engine: tables, functions, roles and grants.
	 */
	public static final String ENGINE = "io/pgque/db/changelog/pgque-engine.xml";

	/**
	 * Only the functions that carry the receive-lock fix, for an existing install.
	 */
	public static final String RECEIVE_LOCK_PATCH = "io/pgque/db/changelog/pgque-receive-lock-patch.xml";

	/**
	 * The schema the engine lives in; the changelog tables live there too, so that
	 * {@code pgque.uninstall()} removes every trace.
	 */
	public static final String SCHEMA = "pgque";

	/**
	 * Our own changelog table, so the application's Liquibase history stays apart.
	 */
	public static final String CHANGELOG_TABLE = "pgque_databasechangelog";

	/**
	 * Our own changelog lock table.
	 */
	public static final String CHANGELOG_LOCK_TABLE = "pgque_databasechangeloglock";

	private PgqueChangelogs() {
	}

}
