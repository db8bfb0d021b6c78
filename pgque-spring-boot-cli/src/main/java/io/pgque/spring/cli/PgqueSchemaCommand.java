package io.pgque.spring.cli;

import java.util.Locale;

import javax.sql.DataSource;

import io.pgque.spring.schema.PgqueChangelogs;
import io.pgque.spring.schema.PgqueLiquibaseRunner;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Installs, patches or removes the engine in any PostgreSQL without starting an
 * application. Lives in its own module, apart from the auto-configuration jar, so that it
 * runs only when someone runs it:
 *
 * <pre>
 * ./mvnw -q -pl pgque-spring-boot-cli -am compile exec:java -Dexec.args="install"
 *     -Dpgque.url=jdbc:postgresql://host/db -Dpgque.user=... -Dpgque.password=...
 * </pre>
 *
 * The JDBC URL, user and password come from the system properties {@code pgque.url},
 * {@code pgque.user} and {@code pgque.password}, or the environment variables
 * {@code PGQUE_URL}, {@code PGQUE_USER} and {@code PGQUE_PASSWORD}.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueSchemaCommand {

	private PgqueSchemaCommand() {
	}

	public static void main(String[] args) {
		if (args.length != 1) {
			usage("expected exactly one command");
		}
		String url = setting("pgque.url", "PGQUE_URL");
		if (url == null) {
			usage("no JDBC URL: set -Dpgque.url or PGQUE_URL");
		}
		DataSource dataSource = new DriverManagerDataSource(url, setting("pgque.user", "PGQUE_USER"),
				setting("pgque.password", "PGQUE_PASSWORD"));
		switch (args[0].toLowerCase(Locale.ROOT)) {
			case "install" -> new PgqueLiquibaseRunner(dataSource).update(PgqueChangelogs.ENGINE);
			case "patch" -> new PgqueLiquibaseRunner(dataSource).update(PgqueChangelogs.RECEIVE_LOCK_PATCH);
			case "uninstall" -> new JdbcTemplate(dataSource).execute("SELECT pgque.uninstall()");
			default -> usage("unknown command '" + args[0] + "'");
		}
		System.out.println("pgque: " + args[0] + " done on " + withoutSecrets(url));
	}

	/**
	 * A JDBC URL fit for a log: a password given in it ({@code password=...} or
	 * {@code //user:password@host}) is masked.
	 * @param url the URL
	 * @return the URL without its password
	 */
	static String withoutSecrets(String url) {
		return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("(//[^/:@]*:)[^/@]*@", "$1***@");
	}

	private static String setting(String property, String variable) {
		String value = System.getProperty(property);
		return (value != null) ? value : System.getenv(variable);
	}

	private static void usage(String problem) {
		System.err.println("pgque: " + problem);
		System.err.println("usage: PgqueSchemaCommand install|patch|uninstall  (-Dpgque.url=jdbc:postgresql://...)");
		System.exit(2);
	}

}
