package io.pgque.spring.autoconfigure;

import io.pgque.spring.schema.PgqueSchemaMode;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for PgQue.
 *
 * @author pgque-spring-boot authors
 */
@ConfigurationProperties("pgque")
public class PgqueProperties {

	private final Schema schema = new Schema();

	private final Template template = new Template();

	private final Listener listener = new Listener();

	private final Ticker ticker = new Ticker();

	public Schema getSchema() {
		return this.schema;
	}

	public Template getTemplate() {
		return this.template;
	}

	public Listener getListener() {
		return this.listener;
	}

	public Ticker getTicker() {
		return this.ticker;
	}

	/**
	 * How the engine is brought into the database.
	 */
	public static class Schema {

		/**
		 * What to do with the engine at start-up: install (or upgrade) it, apply only the
		 * receive-lock patch to an existing install, validate that it is there, or
		 * nothing.
		 */
		private PgqueSchemaMode mode = PgqueSchemaMode.INSTALL;

		public PgqueSchemaMode getMode() {
			return this.mode;
		}

		public void setMode(PgqueSchemaMode mode) {
			this.mode = mode;
		}

	}

	/**
	 * Settings of the PgqueTemplate.
	 */
	public static class Template {

	}

	/**
	 * Settings of the listener containers.
	 */
	public static class Listener {

	}

	/**
	 * Settings of the embedded ticker and maintenance.
	 */
	public static class Ticker {

	}

}
