package io.pgque.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a failure leaves in the log and in {@code dead_letter.dl_reason}: no payload
 * values from a conversion failure unless asked for, and an event whose retries are used
 * up is reported as dead-lettered.
 */
@ExtendWith(OutputCaptureExtension.class)
class PgqueListenerFailureReasonIntegrationTests {

	private static final String SECRET = "4111-1111-1111-1111";

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ListenerTestSupport support = new ListenerTestSupport(db);

	@Test
	void runWhenAPayloadCannotBeConvertedShouldNotQuoteItsValues(CapturedOutput output) {
		this.support.createQueue("reasons");
		this.support.contextRunner().withUserConfiguration(PaymentListener.class).run((context) -> {
			ListenerTestSupport.awaitLease(context);
			long id = this.support.insert("reasons", "test",
					"{\"card\":\"" + SECRET + "\",\"cents\":\"" + SECRET + "\"}");
			this.support.tick("reasons");
			await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters("reasons").size() == 1);
			String reason = (String) deadLetters("reasons").get(0).get("dl_reason");
			assertThat(reason).contains("Cannot convert payload of event " + id)
				.contains("$.cents")
				.doesNotContain(SECRET);
			assertThat(output.getAll()).contains("$.cents").doesNotContain(SECRET);
		});
	}

	@Test
	void runWhenValuesAreAskedForShouldQuoteThem() {
		this.support.createQueue("reasons_values");
		this.support.contextRunner()
			.withPropertyValues("pgque.listener.failure-reasons-with-values=true", "reasons.queue=reasons_values")
			.withUserConfiguration(PaymentListener.class)
			.run((context) -> {
				ListenerTestSupport.awaitLease(context);
				this.support.insert("reasons_values", "test", "{\"card\":\"x\",\"cents\":\"" + SECRET + "\"}");
				this.support.tick("reasons_values");
				await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters("reasons_values").size() == 1);
				assertThat((String) deadLetters("reasons_values").get(0).get("dl_reason")).contains(SECRET);
			});
	}

	@Test
	void runWhenTheLastRetryFailsShouldLogTheEventAsDeadLettered(CapturedOutput output) {
		this.support.createQueue("last_retry");
		db.jdbc().queryForObject("SELECT pgque.set_queue_config('last_retry', 'max_retries', '0')", Integer.class);
		this.support.contextRunner()
			.withPropertyValues("pgque.listener.retry.max-attempts=1")
			.withUserConfiguration(FailingListener.class)
			.run((context) -> {
				ListenerTestSupport.awaitLease(context);
				long id = this.support.insert("last_retry", "test", "x");
				this.support.tick("last_retry");
				await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters("last_retry").size() == 1);
				assertThat(output.getAll())
					.contains("Event " + id + " of last_retry/c dead-lettered: its retries (the queue's max_retries)"
							+ " are used up")
					.doesNotContain("delivered again in");
			});
	}

	private List<Map<String, Object>> deadLetters(String queue) {
		return db.jdbc().queryForList("""
				SELECT d.ev_id, d.dl_reason FROM pgque.dead_letter d JOIN pgque.queue q ON q.queue_id = d.dl_queue_id
				WHERE q.queue_name = ? ORDER BY d.ev_id""", queue);
	}

	record Payment(String card, int cents) {
	}

	@Configuration(proxyBeanMethods = false)
	static class PaymentListener {

		final List<Payment> received = new CopyOnWriteArrayList<>();

		@PgqueListener(queue = "${reasons.queue:reasons}", consumer = "c")
		void on(Payment payment) {
			this.received.add(payment);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FailingListener {

		@PgqueListener(queue = "last_retry", consumer = "c")
		void on(String payload) {
			throw new IllegalStateException("failing on purpose");
		}

	}

}
