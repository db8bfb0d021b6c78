package io.pgque.spring.endpoint;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.TraceContext;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.core.PgqueOperations;
import io.pgque.spring.listener.error.DefaultPgqueErrorHandler;
import io.pgque.spring.listener.error.PgqueErrorHandler;
import io.pgque.spring.listener.error.PgqueFailureDecision;
import io.pgque.spring.test.PgqueTestDatabase;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A web application on the test database for the operations tests: a controller that
 * sends inside an HTTP request, listeners (single, batch, failing), Brave tracing kept in
 * memory, the {@code pgque} endpoint and health exposed. No ticker: tests tick.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@RestController
class OperationsTestApplication {

	static final List<String> PROPERTIES = List.of("server.port=0",
			"management.endpoints.web.exposure.include=health,pgque,metrics",
			"management.endpoint.health.show-details=always", "management.tracing.sampling.probability=1.0",
			"spring.autoconfigure.exclude=org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration,"
					+ "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
			"pgque.schema.mode=none", "pgque.ticker.mode=none", "pgque.listener.poll-interval=200ms",
			"pgque.listener.lease-retry-interval=200ms", "pgque.listener.failure-delay=200ms",
			"pgque.health.cache-time=0s", "pgque.health.consumer-lag-warning=", "pgque.listener.shutdown-timeout=5s",
			"pgque.listener.instance-id=ops");

	private final PgqueOperations pgque;

	private final Tracer tracer;

	final List<PgqueMessage> handled = new CopyOnWriteArrayList<>();

	final List<String> handledTraceIds = new CopyOnWriteArrayList<>();

	final List<PgqueMessage> batchHandled = new CopyOnWriteArrayList<>();

	final List<String> batchHandledTraceIds = new CopyOnWriteArrayList<>();

	final AtomicBoolean failBad = new AtomicBoolean(true);

	private final FinishedSpans finishedSpans;

	OperationsTestApplication(PgqueOperations pgque, Tracer tracer, FinishedSpans finishedSpans) {
		this.finishedSpans = finishedSpans;
		this.pgque = pgque;
		this.tracer = tracer;
	}

	List<MutableSpan> spans() {
		return this.finishedSpans.spans;
	}

	static ConfigurableApplicationContext start(PgqueTestDatabase db, String... extraProperties) {
		DataSource dataSource = new DelegatingDataSource(db.dataSource());
		return new SpringApplicationBuilder(OperationsTestApplication.class).web(WebApplicationType.SERVLET)
			.properties(PROPERTIES.toArray(String[]::new))
			.properties(extraProperties)
			.initializers((context) -> context.getBeanFactory().registerSingleton("dataSource", dataSource))
			.run();
	}

	/**
	 * Send inside an HTTP request and answer with the request's trace id.
	 * @param queue the queue
	 * @param payloads the payloads, one event each (several: one sendBatch)
	 * @return the trace id and the event ids
	 */
	@PostMapping("/send")
	Map<String, Object> send(@RequestParam String queue, @RequestParam List<String> payloads) {
		List<Long> ids = (payloads.size() == 1) ? List.of(this.pgque.send(queue, "order", payloads.get(0)))
				: this.pgque.sendBatch(queue, "order", payloads);
		Span span = this.tracer.currentSpan();
		return Map.of("traceId", (span != null) ? span.context().traceId() : "none", "ids", ids);
	}

	@PgqueListener(queue = "ops", consumer = "worker", id = "worker")
	void handle(PgqueMessage message) {
		Span span = this.tracer.currentSpan();
		this.handledTraceIds.add((span != null) ? span.context().traceId() : "none");
		this.handled.add(message);
	}

	@PgqueListener(queue = "opsbatch", consumer = "batcher", id = "batcher")
	void handleBatch(List<PgqueMessage> messages) {
		Span span = this.tracer.currentSpan();
		this.batchHandledTraceIds.add((span != null) ? span.context().traceId() : "none");
		this.batchHandled.addAll(messages);
	}

	// fails "bad" twice in place, then dead-letters it (the error handler below)
	@PgqueListener(queue = "opsfail", consumer = "checker", id = "checker", errorHandler = "threeStrikes")
	void check(PgqueMessage message) {
		if ("bad".equals(message.payload()) && this.failBad.get()) {
			throw new IllegalStateException("bad payload");
		}
		this.handled.add(message);
	}

	// two cooperative workers, named ops-1 and ops-2
	@PgqueListener(queue = "opsteam", consumer = "team", id = "team", concurrency = "2")
	void teamWork(PgqueMessage message) {
		this.handled.add(message);
	}

	@PgqueListener(queue = "opsstandby", consumer = "standby", id = "standby")
	void standBy(PgqueMessage message) {
		this.handled.add(message);
	}

	@PgqueListener(queue = "opsstop", consumer = "stopper", id = "stopper", errorHandler = "stopOnFailure",
			autoStartup = "false")
	void stopOnBad(PgqueMessage message) {
		throw new IllegalStateException("this container stops");
	}

	@Bean
	@Primary
	static PgqueErrorHandler defaultErrorHandler() {
		return new DefaultPgqueErrorHandler(List.of());
	}

	@Bean
	static PgqueErrorHandler threeStrikes() {
		return (attempt) -> (attempt.attempt() < 3) ? PgqueFailureDecision.retryInPlace(Duration.ofMillis(10), "again")
				: PgqueFailureDecision.deadLetter("three strikes");
	}

	@Bean
	static PgqueErrorHandler stopOnFailure() {
		return (attempt) -> PgqueFailureDecision.stop("stop");
	}

	@Bean
	static FinishedSpans finishedSpans() {
		return new FinishedSpans();
	}

	/**
	 * Every span Brave finishes, in memory.
	 */
	static class FinishedSpans extends SpanHandler {

		final List<MutableSpan> spans = new CopyOnWriteArrayList<>();

		@Override
		public boolean end(TraceContext context, MutableSpan span, Cause cause) {
			this.spans.add(span);
			return true;
		}

	}

	public static void main(String[] args) {
		SpringApplication.run(OperationsTestApplication.class, args);
	}

}
