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
 * The application the fault suite starts as separate JVMs: one listener in the default
 * transaction mode that records every event it handles as a row written in the batch
 * transaction, with its process id. Prints {@link #READY} once started.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@ImportAutoConfiguration({ JacksonAutoConfiguration.class, DataSourceAutoConfiguration.class,
		DataSourceTransactionManagerAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
		PgqueAutoConfiguration.class, PgqueTickerAutoConfiguration.class, PgqueListenerAutoConfiguration.class })
public class FaultTestApplication {

	static final String READY = "PGQUE-FAULT-READY";

	static final String QUEUE = "fault";

	private static final long PID = ProcessHandle.current().pid();

	private final JdbcTemplate jdbc;

	FaultTestApplication(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	@PgqueListener(queue = QUEUE, consumer = "worker")
	void handle(PgqueMessage message) throws InterruptedException {
		record(this.jdbc, message);
	}

	// a row in the batch transaction, with the process id; long enough that a kill lands
	// inside a batch
	static void record(JdbcTemplate jdbc, PgqueMessage message) throws InterruptedException {
		jdbc.update("INSERT INTO fault_seen (ev_id, payload, pid) VALUES (?, ?, ?)", message.id(), message.payload(),
				PID);
		Thread.sleep(5);
	}

	public static void main(String[] args) {
		SpringApplication.run(FaultTestApplication.class, args);
		System.out.println(READY);
	}

}
