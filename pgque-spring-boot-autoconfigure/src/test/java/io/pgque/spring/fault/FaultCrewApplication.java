package io.pgque.spring.fault;

import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.autoconfigure.PgqueAutoConfiguration;
import io.pgque.spring.autoconfigure.PgqueListenerAutoConfiguration;
import io.pgque.spring.autoconfigure.PgqueTickerAutoConfiguration;
import io.pgque.spring.core.PgqueMessage;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The fault suite's second application: one cooperative listener (three workers, each a
 * member of consumer {@code crew}) recording every event it handles as
 * {@link FaultTestApplication} does. Prints {@link FaultTestApplication#READY} once
 * started.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@ImportAutoConfiguration({ JacksonAutoConfiguration.class, DataSourceAutoConfiguration.class,
		DataSourceTransactionManagerAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
		PgqueAutoConfiguration.class, PgqueTickerAutoConfiguration.class, PgqueListenerAutoConfiguration.class })
public class FaultCrewApplication {

	static final String QUEUE = "fault_crew";

	private final JdbcTemplate jdbc;

	FaultCrewApplication(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	@PgqueListener(queue = QUEUE, consumer = "crew", concurrency = "3")
	void handle(PgqueMessage message) throws InterruptedException {
		FaultTestApplication.record(this.jdbc, message);
	}

	public static void main(String[] args) {
		SpringApplication.run(FaultCrewApplication.class, args);
		System.out.println(FaultTestApplication.READY);
	}

}
