package io.pgque.spring.endpoint;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.ConfigurableApplicationContext;

import static io.pgque.spring.endpoint.OperationsHttp.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code pgque} endpoint and the {@code pgque} health over HTTP, on a random port, in
 * an application with listener containers. The failed-container test runs last: a failed
 * container stays failed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PgqueEndpointHttpIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private static Connection standbyLock;

	private static ConfigurableApplicationContext context;

	private static OperationsTestApplication app;

	private static OperationsHttp http;

	@BeforeAll
	static void start() throws Exception {
		OperationsHttp.createQueues(db, "ops", "opsbatch", "opsfail", "opsstop", "opsstandby", "opslag");
		// another "instance" holds the lease of opsstandby/standby: the lock the lease
		// takes, keyed as docs/operations.md shows
		standbyLock = db.dataSource().getConnection();
		try (Statement statement = standbyLock.createStatement()) {
			statement.execute("""
					SELECT pg_advisory_lock(('x' || encode(substring(sha256('pgque-lease'::bytea || '\\x00'::bytea
					|| convert_to('opsstandby', 'UTF8') || '\\x00'::bytea || convert_to('standby', 'UTF8'))
					FROM 1 FOR 8), 'hex'))::bit(64)::bigint)""");
		}
		context = OperationsTestApplication.start(db, "pgque.health.consumer-lag-warning=30s");
		app = context.getBean(OperationsTestApplication.class);
		http = new OperationsHttp(context, db);
		await().atMost(Duration.ofSeconds(10)).until(() -> state("worker").equals("running"));
	}

	@AfterAll
	static void stop() throws Exception {
		if (context != null) {
			context.close();
		}
		standbyLock.close();
	}

	@Test
	@Order(1)
	void overviewListsQueuesConsumersAndThisApplicationsContainers() {
		Map<String, Object> overview = http.get("/actuator/pgque");
		List<Map<String, Object>> queues = at(overview, "queues");
		assertThat(queues).extracting((queue) -> queue.get("name")).contains("ops", "opsbatch", "opsfail");
		assertThat(queues.get(0)).containsKeys("newEvents", "tickerLagSeconds", "deadLetters", "settings");
		List<Map<String, Object>> consumers = at(overview, "consumers");
		assertThat(consumers).anySatisfy((consumer) -> assertThat(consumer).containsEntry("queue", "ops")
			.containsEntry("consumer", "worker")
			.containsKeys("lagSeconds", "pendingEvents", "currentBatch"));
		Map<String, Object> worker = container(overview, "worker");
		assertThat(worker).containsEntry("queue", "ops")
			.containsEntry("state", "running")
			.containsEntry("leaseHeld", true)
			.containsKeys("pausedUntil", "currentBatch", "lastError");
		assertThat(container(overview, "standby")).containsEntry("state", "standby").containsEntry("leaseHeld", false);
		assertThat(container(overview, "stopper")).containsEntry("state", "stopped");
		assertThat(container(overview, "worker")).containsEntry("members", List.of());
		await().atMost(Duration.ofSeconds(10))
			.until(() -> container(http.get("/actuator/pgque"), "team").get("members").toString().contains("idle"));
		List<Map<String, Object>> members = at(container(http.get("/actuator/pgque"), "team"), "members");
		assertThat(members).extracting((member) -> member.get("name")).containsExactly("ops-1", "ops-2");
		assertThat(members).allSatisfy((member) -> assertThat(member).containsKeys("state", "batch"));
		Map<String, Object> health = http.get("/actuator/health/pgque");
		assertThat(health.toString()).contains("team").contains("ops-1").contains("ops-2");
		assertThat(http.status("GET", "/actuator/pgque/nosuchqueue")).isEqualTo(404);
		assertThat(http.status("POST", "/actuator/pgque/containers/nosuchcontainer/pause")).isEqualTo(400);
		assertThat(http.status("POST", "/actuator/pgque/containers/worker/dance")).isEqualTo(400);
	}

	@Test
	@Order(2)
	void pauseStopsDeliveriesAndResumeContinuesThem() throws Exception {
		assertThat(http.post("/actuator/pgque/containers/worker/pause", Map.of())).containsEntry("result", "paused");
		long id = http.insert("ops", "while-paused");
		Map<String, Object> tick = http.post("/actuator/pgque/queues/ops/tick", Map.of());
		assertThat(Long.parseLong(at(tick, "result"))).isPositive();
		Thread.sleep(1500);
		assertThat(app.handled).noneMatch((message) -> message.id() == id);
		assertThat(state("worker")).isEqualTo("paused");

		assertThat(http.post("/actuator/pgque/containers/worker/resume", Map.of())).containsEntry("result", "running");
		await().atMost(Duration.ofSeconds(10)).until(() -> app.handled.stream().anyMatch((m) -> m.id() == id));
	}

	@Test
	@Order(3)
	void aPauseForADurationEndsByItself() {
		http.post("/actuator/pgque/containers/worker/pause", Map.of("duration", "1s"));
		assertThat((String) at(container(http.get("/actuator/pgque"), "worker"), "pausedUntil")).isNotNull();
		await().atMost(Duration.ofSeconds(5)).until(() -> state("worker").equals("running"));
	}

	@Test
	@Order(4)
	void aReplayedDeadLetterIsHandledAndPurgeEmptiesTheDeadLetterQueue() {
		app.failBad.set(true);
		http.insert("opsfail", "bad");
		http.tick("opsfail");
		await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters("opsfail").size() == 1);
		Map<String, Object> letter = deadLetters("opsfail").get(0);
		assertThat(letter).containsEntry("payload", "bad").containsEntry("reason", "three strikes");

		app.failBad.set(false);
		Map<String, Object> replay = http.post("/actuator/pgque/dead-letters/" + letter.get("id") + "/replay",
				Map.of());
		long replayedId = ((Number) replay.get("result")).longValue();
		http.tick("opsfail");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> app.handled.stream().anyMatch((message) -> message.id() == replayedId));
		assertThat(deadLetters("opsfail")).isEmpty();

		app.failBad.set(true);
		http.insert("opsfail", "bad");
		http.tick("opsfail");
		await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters("opsfail").size() == 1);
		assertThat(http.post("/actuator/pgque/queues/opsfail/purge", Map.of())).containsEntry("result", 1);
		assertThat(deadLetters("opsfail")).isEmpty();
	}

	@Test
	@Order(5)
	void healthIsUpWithContainersStoppedOnPurposeOrStandingByAndShowsLag() {
		Map<String, Object> health = http.get("/actuator/health/pgque");
		assertThat(health).containsEntry("status", "UP");
		assertThat((Map<String, Object>) at(health, "details", "containers", "worker")).containsEntry("state",
				"running");
		assertThat((Map<String, Object>) at(health, "details", "containers", "standby")).containsEntry("state",
				"standby");

		assertThat(http.post("/actuator/pgque/containers/batcher/stop", Map.of())).containsEntry("result", "stopped");
		health = http.get("/actuator/health/pgque");
		assertThat(health).containsEntry("status", "UP");
		assertThat((String) at(health, "details", "containers", "batcher", "state")).isEqualTo("stopped");
		http.post("/actuator/pgque/containers/batcher/start", Map.of());

		// a consumer without a container falls behind: reported, a warning, not DOWN
		db.jdbc().queryForObject("SELECT pgque.subscribe('opslag', 'laggard')", Integer.class);
		db.jdbc().queryForObject("SELECT pgque.set_queue_config('opslag', 'external_ticker', 'true')", Integer.class);
		db.jdbc()
			.update("UPDATE pgque.tick SET tick_time = tick_time - interval '10 minutes'"
					+ " WHERE tick_queue = (SELECT queue_id FROM pgque.queue WHERE queue_name = 'opslag')");
		health = http.get("/actuator/health/pgque");
		assertThat(health).containsEntry("status", "UP");
		assertThat(((Number) at(health, "details", "consumers", "opslag/laggard", "lagSeconds")).doubleValue())
			.isGreaterThan(500);
		assertThat((List<String>) at(health, "details", "warnings"))
			.anySatisfy((warning) -> assertThat(warning).contains("opslag/laggard"));
	}

	@Test
	@Order(6)
	void healthIsDownWhenAContainerHasFailed() {
		http.post("/actuator/pgque/containers/stopper/start", Map.of());
		http.insert("opsstop", "boom");
		http.tick("opsstop");
		await().atMost(Duration.ofSeconds(10)).until(() -> state("stopper").equals("failed"));
		Map<String, Object> stopper = container(http.get("/actuator/pgque"), "stopper");
		assertThat((String) at(stopper, "lastError", "message")).isNotBlank();
		Map<String, Object> health = http.get("/actuator/health/pgque");
		assertThat(health).containsEntry("status", "DOWN");
		assertThat((List<String>) at(health, "details", "problems"))
			.anySatisfy((problem) -> assertThat(problem).contains("container 'stopper'"));
	}

	private static List<Map<String, Object>> deadLetters(String queue) {
		return at(http.get("/actuator/pgque/" + queue + "?size=50"), "deadLetters");
	}

	private static String state(String container) {
		return at(container(http.get("/actuator/pgque"), container), "state");
	}

	private static Map<String, Object> container(Map<String, Object> overview, String id) {
		List<Map<String, Object>> containers = at(overview, "containers");
		return containers.stream().filter((container) -> id.equals(container.get("id"))).findFirst().orElseThrow();
	}

}
