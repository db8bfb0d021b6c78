package io.pgque.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Subscribing the consumer at start-up ({@code pgque.listener.auto-subscribe}).
 */
class PgqueListenerSubscriptionIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ListenerTestSupport support = new ListenerTestSupport(db);

	@Test
	void runWhenConsumerIsNotSubscribedShouldSubscribeItAtStartUpAndDeliverLaterEvents() {
		this.support.createQueue("subscribed");
		assertThat(subscriptions("subscribed")).isEmpty();
		this.support.contextRunner().withUserConfiguration(SubscribedListener.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(subscriptions("subscribed")).containsExactly("fresh");
			ListenerTestSupport.awaitLease(context);
			this.support.insertMany("subscribed", "test", "s", 3);
			this.support.tick("subscribed");
			SubscribedListener listener = context.getBean(SubscribedListener.class);
			await().atMost(Duration.ofSeconds(5)).until(() -> listener.payloads.size() == 3);
			assertThat(listener.payloads).containsExactly("s1", "s2", "s3");
		});
	}

	@Test
	void runWhenConsumerIsNotSubscribedAndAutoSubscribeIsOffShouldFailNamingQueueConsumerAndProperty() {
		this.support.createQueue("unsubscribed");
		this.support.contextRunner()
			.withPropertyValues("pgque.listener.auto-subscribe=false")
			.withUserConfiguration(UnsubscribedListener.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("'stranger'")
				.hasMessageContaining("'unsubscribed'")
				.hasMessageContaining("pgque.listener.auto-subscribe"));
		assertThat(subscriptions("unsubscribed")).as("nothing subscribed").isEmpty();
	}

	@Test
	void runWhenConsumerIsSubscribedAndAutoSubscribeIsOffShouldStartAndDeliver() {
		this.support.createQueue("presubscribed");
		this.support.subscribe("presubscribed", "known");
		this.support.contextRunner()
			.withPropertyValues("pgque.listener.auto-subscribe=false")
			.withUserConfiguration(PresubscribedListener.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ListenerTestSupport.awaitLease(context);
				this.support.insert("presubscribed", "test", "p");
				this.support.tick("presubscribed");
				PresubscribedListener listener = context.getBean(PresubscribedListener.class);
				await().atMost(Duration.ofSeconds(5)).until(() -> listener.payloads.contains("p"));
			});
		assertThat(subscriptions("presubscribed")).containsExactly("known");
	}

	private List<String> subscriptions(String queue) {
		return db.jdbc()
			.queryForList("""
					SELECT c.co_name FROM pgque.subscription s JOIN pgque.queue q ON q.queue_id = s.sub_queue
					JOIN pgque.consumer c ON c.co_id = s.sub_consumer WHERE q.queue_name = ? ORDER BY c.co_name""",
					String.class, queue);
	}

	@Configuration(proxyBeanMethods = false)
	static class SubscribedListener {

		final List<String> payloads = new CopyOnWriteArrayList<>();

		@PgqueListener(queue = "subscribed", consumer = "fresh")
		void on(String payload) {
			this.payloads.add(payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UnsubscribedListener {

		@PgqueListener(queue = "unsubscribed", consumer = "stranger")
		void on(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PresubscribedListener {

		final List<String> payloads = new CopyOnWriteArrayList<>();

		@PgqueListener(queue = "presubscribed", consumer = "known")
		void on(String payload) {
			this.payloads.add(payload);
		}

	}

}
