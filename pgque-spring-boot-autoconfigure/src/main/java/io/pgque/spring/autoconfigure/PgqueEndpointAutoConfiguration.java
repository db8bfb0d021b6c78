package io.pgque.spring.autoconfigure;

import io.pgque.spring.core.PgqueAdminOperations;
import io.pgque.spring.core.PgqueOperations;
import io.pgque.spring.endpoint.PgqueEndpoint;
import io.pgque.spring.listener.PgqueListenerContainerRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code pgque} actuator endpoint, available when the application exposes it.
 *
 * @author pgque-spring-boot authors
 */
@AutoConfiguration(after = { PgqueAutoConfiguration.class, PgqueListenerAutoConfiguration.class })
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean({ PgqueAdminOperations.class, PgqueOperations.class })
@ConditionalOnAvailableEndpoint(PgqueEndpoint.class)
public final class PgqueEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	PgqueEndpoint pgqueEndpoint(PgqueAdminOperations pgqueAdminOperations, PgqueOperations pgqueOperations,
			ObjectProvider<PgqueListenerContainerRegistry> registry) {
		return new PgqueEndpoint(pgqueAdminOperations, pgqueOperations, registry.getIfAvailable());
	}

}
