package io.pgque.spring.schema;

import java.util.Set;

import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDatabaseInitializerDetector;

/**
 * Tells Spring Boot that a {@link PgqueSchemaInitializer} initializes the database, so
 * that beans marked as depending on database initialization wait for the engine.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueSchemaInitializerDetector extends AbstractBeansOfTypeDatabaseInitializerDetector {

	@Override
	protected Set<Class<?>> getDatabaseInitializerBeanTypes() {
		return Set.of(PgqueSchemaInitializer.class);
	}

}
