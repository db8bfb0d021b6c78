package io.pgque.spring.endpoint;

import java.util.List;
import java.util.Map;

import io.pgque.spring.test.PgqueTestDatabase;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;

/**
 * HTTP against the test application on its random port, and SQL on its database.
 */
final class OperationsHttp {

	private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	private final RestClient client;

	private final PgqueTestDatabase db;

	OperationsHttp(ConfigurableApplicationContext context, PgqueTestDatabase db) {
		this.client = RestClient
			.create("http://localhost:" + context.getEnvironment().getProperty("local.server.port"));
		this.db = db;
	}

	Map<String, Object> get(String path) {
		return this.client.get().uri(path).retrieve().onStatus(HttpStatusCode::isError, (request, response) -> {
		}).body(JSON);
	}

	Map<String, Object> post(String path, Map<String, ?> body) {
		return this.client.post().uri(path).contentType(MediaType.APPLICATION_JSON).body(body).retrieve().body(JSON);
	}

	int status(String method, String path) {
		return this.client.method(HttpMethod.valueOf(method))
			.uri(path)
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of())
			.exchange((request, response) -> response.getStatusCode().value());
	}

	Map<String, Object> send(String queue, List<String> payloads) {
		return this.client.post()
			.uri((uri) -> uri.path("/send").queryParam("queue", queue).queryParam("payloads", payloads).build())
			.retrieve()
			.body(JSON);
	}

	@SuppressWarnings("unchecked")
	static <T> T at(Object json, String... path) {
		Object current = json;
		for (String step : path) {
			current = (current instanceof List<?> list) ? list.get(Integer.parseInt(step))
					: ((Map<String, Object>) current).get(step);
		}
		return (T) current;
	}

	long insert(String queue, String payload) {
		return this.db.jdbc().queryForObject("SELECT pgque.insert_event(?, 'order', ?)", Long.class, queue, payload);
	}

	void tick(String queue) {
		this.db.jdbc().queryForObject("SELECT pgque.force_next_tick(?)", Long.class, queue);
		this.db.jdbc().queryForObject("SELECT pgque.ticker(?)", Long.class, queue);
	}

	static void createQueues(PgqueTestDatabase db, String... queues) {
		for (String queue : queues) {
			db.jdbc().queryForObject("SELECT pgque.create_queue(?)", Integer.class, queue);
		}
	}

}
