package io.pgque.sample;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.pgque.spring.test.PgqueTest;
import io.pgque.spring.test.PgqueTestSupport;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample over HTTP, as the README walks through it, on its own embedded PostgreSQL:
 * orders placed through the API are billed and shipped; one without an address fails in
 * shipping, is retried, lands in the dead-letter queue, and after its address is given
 * and it is replayed, ships (and is not billed twice). {@link PgqueTest} only makes
 * delivery and retries fast.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@PgqueTest
class SampleApplicationHttpTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@LocalServerPort
	private int port;

	@Autowired
	private PgqueTestSupport pgque;

	@Autowired
	private JdbcTemplate jdbc;

	private RestClient http;

	@BeforeEach
	void client() {
		this.http = RestClient.create("http://localhost:" + this.port);
	}

	@Test
	void ordersAreBilledAndShippedAndAFailedShipmentIsReplayedFromTheDeadLetters() {
		long alice = place("{\"customer\":\"alice\",\"amount\":12.50,\"address\":\"1 Main Street\"}");
		long bob = place("{\"customer\":\"bob\",\"amount\":7,\"address\":\"2 High Street\"}");
		awaitOrder(alice, "BILLED", "SHIPPED");
		awaitOrder(bob, "BILLED", "SHIPPED");

		long carol = place("{\"customer\":\"carol\",\"amount\":3.20}");
		List<Map<String, Object>> deadLetters = awaitDeadLetters(1);
		assertThat(deadLetters).singleElement().satisfies((deadLetter) -> {
			assertThat(deadLetter).containsEntry("consumer", "shipping").containsEntry("retries", 2);
			assertThat((String) deadLetter.get("reason")).contains("Order " + carol + " has no address");
		});
		assertThat(order(carol)).containsEntry("billing", "BILLED").containsEntry("shipping", "PENDING");

		this.http.put()
			.uri("/orders/{id}/address", carol)
			.contentType(MediaType.TEXT_PLAIN)
			.body("3 Low Road")
			.retrieve()
			.toBodilessEntity();
		Map<String, Object> replayed = this.http.post()
			.uri("/dead-letters/{id}/replay", deadLetters.get(0).get("id"))
			.retrieve()
			.body(new ParameterizedTypeReference<>() {
			});
		assertThat(replayed).containsKey("eventId");
		awaitOrder(carol, "BILLED", "SHIPPED");
		assertThat(awaitDeadLetters(0)).isEmpty();
		// the replay reached billing too: its insert is idempotent
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM invoices WHERE order_id = ?", Integer.class, carol))
			.isOne();
	}

	@Test
	void actuatorShowsPgqueHealthMetricsAndEndpoint() {
		Map<String, Object> health = get("/actuator/health");
		assertThat(health).containsEntry("status", "UP");
		assertThat(health.get("components")).asInstanceOf(InstanceOfAssertFactories.MAP).containsKey("pgque");
		Map<String, Object> metrics = get("/actuator/metrics");
		assertThat(metrics.get("names")).asInstanceOf(InstanceOfAssertFactories.LIST)
			.contains("pgque.queue.events.new", "pgque.queue.dead.letters");
		assertThat(get("/actuator/pgque")).isNotEmpty();
	}

	private long place(String json) {
		Map<String, Object> created = this.http.post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.body(json)
			.retrieve()
			.body(new ParameterizedTypeReference<>() {
			});
		return ((Number) created.get("id")).longValue();
	}

	private Map<String, Object> order(long id) {
		return get("/orders/" + id);
	}

	private Map<String, Object> get(String path) {
		return this.http.get().uri(path).retrieve().body(new ParameterizedTypeReference<>() {
		});
	}

	private void awaitOrder(long id, String billing, String shipping) {
		this.pgque.await(() -> billing.equals(order(id).get("billing")) && shipping.equals(order(id).get("shipping")),
				TIMEOUT, () -> "order " + id + " to be " + billing + " and " + shipping + ", it is " + order(id));
	}

	private List<Map<String, Object>> awaitDeadLetters(int count) {
		this.pgque.await(() -> deadLetters().size() == count, TIMEOUT,
				() -> count + " dead letters, there are " + deadLetters());
		return deadLetters();
	}

	private List<Map<String, Object>> deadLetters() {
		return this.http.get().uri("/dead-letters").retrieve().body(new ParameterizedTypeReference<>() {
		});
	}

}
