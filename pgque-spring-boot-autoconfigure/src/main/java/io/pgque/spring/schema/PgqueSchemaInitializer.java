package io.pgque.spring.schema;

import java.util.List;
import java.util.Locale;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Brings the engine into the state {@link PgqueSchemaMode} asks for, before any bean that
 * uses it starts (see {@link PgqueSchemaInitializerDetector}).
 *
 * @author pgque-spring-boot authors
 */
public class PgqueSchemaInitializer implements InitializingBean {

	private static final Log logger = LogFactory.getLog(PgqueSchemaInitializer.class);

	private final DataSource dataSource;

	private final PgqueSchemaMode mode;

	private final @Nullable PgqueEngineLimits limits;

	public PgqueSchemaInitializer(DataSource dataSource, PgqueSchemaMode mode) {
		this(dataSource, mode, null);
	}

	/**
	 * Create an initializer that also sets the engine's limits when it installs.
	 * @param dataSource where the engine is
	 * @param mode what to do with it
	 * @param limits the limits to set after an install or upgrade; {@code null} leaves
	 * them as they are
	 */
	public PgqueSchemaInitializer(DataSource dataSource, PgqueSchemaMode mode, @Nullable PgqueEngineLimits limits) {
		this.dataSource = dataSource;
		this.mode = mode;
		this.limits = limits;
	}

	@Override
	public void afterPropertiesSet() {
		switch (this.mode) {
			case INSTALL -> {
				apply(PgqueChangelogs.ENGINE);
				applyLimits();
			}
			case PATCH -> apply(PgqueChangelogs.RECEIVE_LOCK_PATCH);
			case VALIDATE -> validate();
			case NONE -> logger.debug("pgque.schema.mode=none: leaving the PgQue engine as it is");
		}
	}

	private void apply(String changelog) {
		long started = System.nanoTime();
		String applied = new PgqueLiquibaseRunner(this.dataSource).update(changelog);
		long millis = (System.nanoTime() - started) / 1_000_000;
		if (applied == null) {
			logger.debug("PgQue engine already up to date (" + changelog + "), checked in " + millis + " ms");
		}
		else if (logger.isInfoEnabled()) {
			logger.info("PgQue engine " + this.mode.name().toLowerCase(Locale.ROOT) + " applied (" + changelog + "): "
					+ applied + " in " + millis + " ms");
		}
	}

	// Only after an install: PATCH and VALIDATE work on installs that may predate limits
	private void applyLimits() {
		if (this.limits != null) {
			this.limits.applyTo(new JdbcTemplate(this.dataSource));
		}
	}

	private void validate() {
		Boolean installed = new JdbcTemplate(this.dataSource)
			.queryForObject("SELECT to_regprocedure('pgque.version()') IS NOT NULL", Boolean.class);
		if (!Boolean.TRUE.equals(installed)) {
			throw new PgqueEngineNotInstalledException();
		}
		List<String> problems = new PgqueSchemaValidator(this.dataSource).problems();
		if (!problems.isEmpty()) {
			throw new PgqueSchemaValidationException(problems);
		}
	}

}
