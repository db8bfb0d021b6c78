package io.pgque.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A batch bigger than {@code pgque.listener.max-events-in-memory} is read and handled in
 * pages, every event exactly once, and acked once after its last page.
 */
class PgqueListenerPagingIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ListenerTestSupport support = new ListenerTestSupport(db);

	@ParameterizedTest
	@ValueSource(strings = { "savepoint", "replay", "at-least-once" })
	void runWhenABatchExceedsTheLimitShouldDeliverEveryEventOnceInPages(String mode) {
		String queue = "paged_" + mode.replace('-', '_');
		this.support.createQueue(queue);
		this.support.subscribe(queue, "c1");
		this.support.contextRunner()
			.withPropertyValues("pgque.listener.max-events-in-memory=7", "pgque.listener.transaction-mode=" + mode,
					"paging.queue=" + queue)
			.withUserConfiguration(PagedListener.class)
			.run((context) -> {
				PagedListener listener = context.getBean(PagedListener.class);
				ListenerTestSupport.awaitLease(context);
				List<Long> ids = this.support.insertMany(queue, "test", "p", 50);
				this.support.tick(queue);
				await().atMost(Duration.ofSeconds(10)).until(() -> this.support.isCaughtUp(queue, "c1"));
				assertThat(listener.received).extracting(PgqueMessage::id).containsExactlyElementsOf(ids);
				// one batch, acked once
				assertThat(listener.received).extracting(PgqueMessage::batchId)
					.containsOnly(listener.received.get(0).batchId());
			});
	}

	@Test
	void runWhenABatchListenerTakesMoreThanAPageShouldGetSlicesOfAtMostAPage() {
		this.support.createQueue("paged_batch");
		this.support.subscribe("paged_batch", "c1");
		this.support.contextRunner()
			.withPropertyValues("pgque.listener.max-events-in-memory=7")
			.withUserConfiguration(PagedBatchListener.class)
			.run((context) -> {
				PagedBatchListener listener = context.getBean(PagedBatchListener.class);
				ListenerTestSupport.awaitLease(context);
				// twice the page: the third read finds an empty last page
				List<Long> ids = this.support.insertMany("paged_batch", "test", "b", 14);
				this.support.tick("paged_batch");
				await().atMost(Duration.ofSeconds(10)).until(() -> this.support.isCaughtUp("paged_batch", "c1"));
				assertThat(listener.sizes).containsExactly(7, 7);
				assertThat(listener.received).extracting(PgqueMessage::id).containsExactlyElementsOf(ids);
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class PagedListener {

		final List<PgqueMessage> received = new CopyOnWriteArrayList<>();

		@PgqueListener(queue = "${paging.queue}", consumer = "c1")
		void on(PgqueMessage message) {
			this.received.add(message);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PagedBatchListener {

		final List<Integer> sizes = new CopyOnWriteArrayList<>();

		final List<PgqueMessage> received = new CopyOnWriteArrayList<>();

		@PgqueListener(queue = "paged_batch", consumer = "c1", maxBatchSize = "100")
		void on(List<PgqueMessage> batch) {
			this.sizes.add(batch.size());
			this.received.addAll(batch);
		}

	}

}
