package io.pgque.spring.autoconfigure;

import javax.sql.DataSource;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Picks the DataSource PgQue works on: the one qualified {@link PgqueDataSource} when
 * present, otherwise the application's single (or primary) DataSource.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueDataSources {

	private PgqueDataSources() {
	}

	static DataSource resolve(ObjectProvider<DataSource> pgqueDataSource, ObjectProvider<DataSource> dataSource) {
		DataSource qualified = pgqueDataSource.getIfAvailable();
		return (qualified != null) ? qualified : dataSource.getObject();
	}

}
