package io.pgque.spring.test;

import javax.sql.DataSource;

import io.pgque.spring.autoconfigure.PgqueDataSource;
import io.pgque.spring.core.PgqueTemplate;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * What {@link PgqueTest} imports: the {@link PgqueTestSupport} bean and the counter of
 * handled events behind it.
 */
@TestConfiguration(proxyBeanMethods = false)
class PgqueTestSupportConfiguration {

	@Bean
	static PgqueHandledEvents pgqueHandledEvents() {
		return new PgqueHandledEvents();
	}

	@Bean
	PgqueTestSupport pgqueTestSupport(PgqueTemplate pgqueTemplate, PgqueHandledEvents handledEvents,
			@PgqueDataSource ObjectProvider<DataSource> pgqueDataSource, ObjectProvider<DataSource> dataSource) {
		DataSource engine = pgqueDataSource.getIfAvailable(dataSource::getObject);
		return new PgqueTestSupport(pgqueTemplate, engine, handledEvents);
	}

}
