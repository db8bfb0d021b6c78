package io.pgque.spring.health;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.pgque.spring.convert.PgqueTextPayloadConverter;
import io.pgque.spring.convert.PgqueTypeMapper;
import io.pgque.spring.core.PgqueTemplate;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

class PgqueHealthIndicatorIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	@RegisterExtension
	static final PgqueTestDatabase noEngine = PgqueTestDatabase.empty();

	@BeforeEach
	void dropQueues() {
		db.jdbc().queryForList("SELECT queue_name FROM pgque.queue", String.class).forEach((queue) -> {
			db.jdbc().queryForObject("SELECT pgque.drop_queue(?, true)", Integer.class, queue);
		});
	}

	@Test
	void healthIsDownWithoutTheEngine() {
		Health health = new PgqueHealthIndicator(template(noEngine), Duration.ofSeconds(30), null).health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails().get("error").toString()).contains("not installed");
	}

	@Test
	void healthIsUpWithFreshQueuesAndReportsThem() {
		db.jdbc().queryForObject("SELECT pgque.create_queue('orders')", Integer.class);
		db.jdbc().queryForObject("SELECT pgque.subscribe('orders', 'billing')", Integer.class);
		Health health = new PgqueHealthIndicator(template(db), Duration.ofSeconds(30), null).health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails().get("version")).isEqualTo("0.2.0");
		assertThat(((Map<?, ?>) health.getDetails().get("queues")).containsKey("orders")).isTrue();
		assertThat(((Map<?, ?>) health.getDetails().get("consumers")).containsKey("orders/billing")).isTrue();
	}

	@Test
	void healthIsDownWhenAQueueWithWaitingEventsHasNotTicked() {
		db.jdbc().queryForObject("SELECT pgque.create_queue('stalled')", Integer.class);
		db.jdbc().queryForObject("SELECT pgque.insert_event('stalled', 't', 'x')", Long.class);
		db.jdbc().queryForObject("SELECT pgque.insert_event('stalled', 't', 'y')", Long.class);
		ageTicks("stalled", "10 minutes");
		Health health = new PgqueHealthIndicator(template(db), Duration.ofSeconds(30), null).health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat((List<?>) health.getDetails().get("problems")).singleElement()
			.asString()
			.contains("queue 'stalled'");
	}

	// an idle queue ticks once per ticker_idle_period (default 1 minute), a busy one
	// within ticker_max_lag (default 3 s): 50 s of silence is normal for the first only
	@Test
	void healthJudgesAnIdleQueueByItsIdlePeriodAndABusyOneByItsMaxLag() {
		db.jdbc().queryForObject("SELECT pgque.create_queue('idle')", Integer.class);
		db.jdbc().queryForObject("SELECT pgque.create_queue('busy')", Integer.class);
		// two: a new queue's first event does not count (its sequence reads 1 before and
		// after it, contract §3.5)
		db.jdbc().queryForObject("SELECT pgque.insert_event('busy', 't', 'x')", Long.class);
		db.jdbc().queryForObject("SELECT pgque.insert_event('busy', 't', 'y')", Long.class);
		ageTicks("idle", "50 seconds");
		ageTicks("busy", "50 seconds");
		Health health = new PgqueHealthIndicator(template(db), Duration.ofSeconds(5), null).health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat((List<?>) health.getDetails().get("problems")).singleElement().asString().contains("queue 'busy'");

		ageTicks("idle", "10 minutes");
		assertThat((List<?>) new PgqueHealthIndicator(template(db), Duration.ofSeconds(5), null).health()
			.getDetails()
			.get("problems")).anySatisfy((problem) -> assertThat(problem).asString().contains("queue 'idle'"));
	}

	@Test
	void healthDoesNotJudgePausedOrExternallyTickedQueues() {
		for (String queue : List.of("paused", "external")) {
			db.jdbc().queryForObject("SELECT pgque.create_queue(?)", Integer.class, queue);
			db.jdbc().queryForObject("SELECT pgque.insert_event(?, 't', 'x')", Long.class, queue);
			db.jdbc().queryForObject("SELECT pgque.insert_event(?, 't', 'y')", Long.class, queue);
			ageTicks(queue, "10 minutes");
		}
		PgqueHealthIndicator indicator = new PgqueHealthIndicator(template(db), Duration.ofSeconds(30), null);
		assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);

		db.jdbc().queryForObject("SELECT pgque.set_queue_config('paused', 'ticker_paused', 'true')", Integer.class);
		db.jdbc().queryForObject("SELECT pgque.set_queue_config('external', 'external_ticker', 'true')", Integer.class);
		Health health = indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(((Map<?, ?>) health.getDetails().get("queues")).keySet().stream().map(Object::toString))
			.containsOnly("paused", "external");
	}

	@Test
	void healthIsDownWhenAConsumerLagsMoreThanAllowed() {
		db.jdbc().queryForObject("SELECT pgque.create_queue('slow')", Integer.class);
		db.jdbc().queryForObject("SELECT pgque.subscribe('slow', 'reporting')", Integer.class);
		ageTicks("slow", "30 seconds");
		PgqueHealthIndicator strict = new PgqueHealthIndicator(template(db), Duration.ofHours(1),
				Duration.ofSeconds(10));
		Health health = strict.health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat((List<?>) health.getDetails().get("problems")).singleElement()
			.asString()
			.contains("consumer 'slow/reporting'");
		PgqueHealthIndicator lenient = new PgqueHealthIndicator(template(db), Duration.ofHours(1),
				Duration.ofMinutes(5));
		assertThat(lenient.health().getStatus()).isEqualTo(Status.UP);
	}

	private static PgqueTemplate template(PgqueTestDatabase database) {
		return new PgqueTemplate(database.dataSource(), new PgqueTextPayloadConverter(PgqueTypeMapper.simpleNames()));
	}

	private void ageTicks(String queue, String age) {
		db.jdbc()
			.update("UPDATE pgque.tick SET tick_time = tick_time - ?::interval "
					+ "WHERE tick_queue = (SELECT queue_id FROM pgque.queue WHERE queue_name = ?)", age, queue);
	}

}
