package io.pgque.spring.endpoint;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import brave.Span.Kind;
import brave.handler.MutableSpan;
import io.micrometer.tracing.brave.bridge.BraveFinishedSpan;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.test.PgqueTestDatabase;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Meters after a known workload, and one trace from an HTTP request through a send to the
 * listener that handles the event, for a single and a batch listener (Brave, spans kept
 * in memory).
 */
class PgqueMetricsAndTracingIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private static ConfigurableApplicationContext context;

	private static OperationsTestApplication app;

	private static OperationsHttp http;

	private static MeterRegistry meters;

	@BeforeAll
	static void start() {
		OperationsHttp.createQueues(db, "ops", "opsbatch", "opsfail", "opsstop", "opsstandby");
		context = OperationsTestApplication.start(db);
		app = context.getBean(OperationsTestApplication.class);
		meters = context.getBean(MeterRegistry.class);
		http = new OperationsHttp(context, db);
	}

	@AfterAll
	static void stop() {
		if (context != null) {
			context.close();
		}
	}

	@Test
	void countersSayExactlyWhatAKnownWorkloadDid() {
		List<String> payloads = new java.util.ArrayList<>();
		for (int i = 1; i <= 10; i++) {
			payloads.add("good" + i);
		}
		payloads.add("bad");
		http.send("opsfail", payloads);
		http.tick("opsfail");
		await().atMost(Duration.ofSeconds(15))
			.until(() -> count("pgque.events.handled", "opsfail", "dead-lettered") == 1
					&& count("pgque.events.handled", "opsfail", "success") == 10);

		System.out.println("PgQue meters after 10 good events and 1 that fails three times: handled success="
				+ count("pgque.events.handled", "opsfail", "success") + ", retried="
				+ count("pgque.events.handled", "opsfail", "retried") + ", dead-lettered="
				+ count("pgque.events.handled", "opsfail", "dead-lettered") + ", sent="
				+ meters.get("pgque.events.sent").tag("queue", "opsfail").counter().count());
		assertThat(count("pgque.events.handled", "opsfail", "success")).isEqualTo(10);
		assertThat(count("pgque.events.handled", "opsfail", "retried")).isEqualTo(2);
		assertThat(count("pgque.events.handled", "opsfail", "dead-lettered")).isEqualTo(1);
		assertThat(count("pgque.events.handled", "opsfail", "nacked")).isZero();
		assertThat(meters.get("pgque.events.sent").tags("queue", "opsfail", "outcome", "success").counter().count())
			.isEqualTo(11);
		assertThat(meters.get("pgque.send.duration").tag("queue", "opsfail").timer().count()).isEqualTo(1);
		assertThat(meters.get("pgque.handler.duration").tags("queue", "opsfail", "outcome", "success").timer().count())
			.isEqualTo(10);
		assertThat(meters.get("pgque.handler.duration").tags("queue", "opsfail", "outcome", "failure").timer().count())
			.isEqualTo(3);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> meters.get("pgque.batch.size").tag("queue", "opsfail").summary().totalAmount() == 11);
		assertThat(meters.get("pgque.batches").tag("queue", "opsfail").counter().count()).isGreaterThanOrEqualTo(1);
		assertThat(meters.get("pgque.batch.duration").tag("queue", "opsfail").timer().count())
			.isGreaterThanOrEqualTo(1);
		assertThat(meters.get("pgque.listener.lease").tag("container", "checker").gauge().value()).isEqualTo(1);
	}

	@Test
	void oneTraceConnectsAnHttpRequestsSendAndItsHandlingBySingleListener() {
		Map<String, Object> sent = http.send("ops", List.of("traced"));
		String traceId = (String) sent.get("traceId");
		long id = ((Number) ((List<?>) sent.get("ids")).get(0)).longValue();
		http.tick("ops");
		await().atMost(Duration.ofSeconds(10)).until(() -> app.handled.stream().anyMatch((m) -> m.id() == id));
		PgqueMessage message = app.handled.stream().filter((m) -> m.id() == id).findFirst().orElseThrow();
		System.out.println("PgQue trace context stored with the event (ev_extra4): " + message.extra4());
		assertThat(message.extra4()).startsWith("00-" + traceId + "-");
		// the handler ran inside the restored trace
		assertThat(app.handledTraceIds).contains(traceId);
		await().atMost(Duration.ofSeconds(5)).until(() -> spans(traceId, Kind.CONSUMER).size() == 1);
		assertThat(spans(traceId, Kind.PRODUCER)).singleElement()
			.satisfies((span) -> assertThat(span.name()).isEqualTo("ops send"));
		assertThat(spans(traceId, Kind.CONSUMER).get(0).tags()).containsEntry("pgque.event.id", Long.toString(id))
			.containsEntry("outcome", "success");
	}

	@Test
	void oneTraceConnectsEachHttpRequestsSendAndItsHandlingByABatchListenerOneLinkedSpanPerMessage() {
		// two requests, two traces, one batch
		Map<String, Object> first = http.send("opsbatch", List.of("b1"));
		Map<String, Object> second = http.send("opsbatch", List.of("b2"));
		String firstTrace = (String) first.get("traceId");
		String secondTrace = (String) second.get("traceId");
		assertThat(firstTrace).isNotEqualTo(secondTrace);
		long firstId = ((Number) ((List<?>) first.get("ids")).get(0)).longValue();
		long secondId = ((Number) ((List<?>) second.get("ids")).get(0)).longValue();
		int before = app.batchHandled.size();
		http.tick("opsbatch");
		await().atMost(Duration.ofSeconds(10)).until(() -> app.batchHandled.size() >= before + 2);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> spans(firstTrace, Kind.CONSUMER).size() == 1 && spans(secondTrace, Kind.CONSUMER).size() == 1
					&& batchSpan(firstId) != null);
		// each message's span is in the trace of the request that sent it
		MutableSpan firstProcessed = spans(firstTrace, Kind.CONSUMER).get(0);
		MutableSpan secondProcessed = spans(secondTrace, Kind.CONSUMER).get(0);
		assertThat(firstProcessed.name()).isEqualTo("opsbatch process");
		assertThat(firstProcessed.tags()).containsEntry("pgque.event.id", Long.toString(firstId));
		assertThat(secondProcessed.tags()).containsEntry("pgque.event.id", Long.toString(secondId));
		assertThat(firstProcessed.tags().get("pgque.batch.id")).isEqualTo(secondProcessed.tags().get("pgque.batch.id"));
		// the call's span links to both, and the listener ran inside it
		MutableSpan batch = batchSpan(firstId);
		System.out.println("PgQue batch span " + batch.traceId() + "/" + batch.id() + " links: "
				+ BraveFinishedSpan.fromBrave(batch).getLinks());
		assertThat(batch.name()).isEqualTo("opsbatch process batch");
		assertThat(batch.tags()).containsEntry("pgque.batch.id", firstProcessed.tags().get("pgque.batch.id"));
		assertThat(BraveFinishedSpan.fromBrave(batch).getLinks())
			.extracting((link) -> link.getTraceContext().traceId() + "/" + link.getTraceContext().spanId())
			.containsExactlyInAnyOrder(firstTrace + "/" + firstProcessed.id(),
					secondTrace + "/" + secondProcessed.id());
		assertThat(app.batchHandledTraceIds).contains(batch.traceId());
	}

	// the batch span whose links name the event
	private static @Nullable MutableSpan batchSpan(long eventId) {
		return app.spans()
			.stream()
			.filter((span) -> span.tags().containsValue(Long.toString(eventId)) && span.name() != null
					&& span.name().endsWith("process batch"))
			.findFirst()
			.orElse(null);
	}

	private static double count(String name, String queue, String outcome) {
		var counter = meters.find(name).tags("queue", queue, "outcome", outcome).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static List<MutableSpan> spans(String traceId, Kind kind) {
		return app.spans().stream().filter((span) -> traceId.equals(span.traceId()) && span.kind() == kind).toList();
	}

}
