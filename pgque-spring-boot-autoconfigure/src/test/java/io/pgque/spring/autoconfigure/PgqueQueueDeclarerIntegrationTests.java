package io.pgque.spring.autoconfigure;

import java.time.Duration;
import java.util.List;

import io.pgque.spring.core.PgqueOperations;
import io.pgque.spring.core.PgqueQueue;
import io.pgque.spring.core.PgqueQueueConfig;
import io.pgque.spring.core.PgqueQueueInfo;
import io.pgque.spring.core.PgqueTemplate;
import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Queues declared in properties or as beans exist, configured, once the context is up,
 * and the auto-configured template sends through the PgQue DataSource.
 */
class PgqueQueueDeclarerIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgqueAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=" + db.jdbcUrl(), "spring.datasource.username=" + db.user(),
				"spring.datasource.password=" + db.password());

	@Test
	void runWhenQueuesAreDeclaredShouldCreateThemWithStarterDefaultsAndTheirSettings() {
		this.contextRunner
			.withPropertyValues("pgque.queues.orders.max-retries=3", "pgque.queues.orders.ticker-max-lag=500ms",
					"pgque.queues.audit.ticker-max-count=100", "pgque.queues.audit.rotation-period=6h")
			.withBean("paymentsQueue", PgqueQueue.class,
					() -> new PgqueQueue("payments",
							PgqueQueueConfig.builder().tickerIdlePeriod(Duration.ofSeconds(20)).build()))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				PgqueTemplate template = context.getBean(PgqueTemplate.class);
				PgqueQueueInfo orders = template.getQueueInfo("orders").orElseThrow();
				assertThat(orders.tickerMaxCount()).isEqualTo(1);
				assertThat(orders.tickerMaxLag()).isEqualTo(Duration.ofMillis(500));
				assertThat(maxRetries("orders")).isEqualTo(3);
				PgqueQueueInfo audit = template.getQueueInfo("audit").orElseThrow();
				assertThat(audit.tickerMaxCount()).isEqualTo(100);
				assertThat(audit.rotationPeriod()).isEqualTo(Duration.ofHours(6));
				PgqueQueueInfo payments = template.getQueueInfo("payments").orElseThrow();
				assertThat(payments.tickerMaxCount()).isEqualTo(1);
				assertThat(payments.tickerIdlePeriod()).isEqualTo(Duration.ofSeconds(20));
			});
	}

	@Test
	void runWhenDeclaredQueueExistsShouldApplyOnlyItsDeclaredSettings() {
		this.contextRunner.run((context) -> context.getBean(PgqueTemplate.class).createQueue("legacy"));
		this.contextRunner.withPropertyValues("pgque.queues.legacy.max-retries=7").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(maxRetries("legacy")).isEqualTo(7);
			assertThat(context.getBean(PgqueTemplate.class).getQueueInfo("legacy").orElseThrow().tickerMaxCount())
				.isEqualTo(500);
		});
	}

	@Test
	void runWithDeclaredQueueShouldSendThroughTheAutoConfiguredTemplate() {
		this.contextRunner.withPropertyValues("pgque.queues.greetings.max-retries=1").run((context) -> {
			PgqueOperations operations = context.getBean(PgqueOperations.class);
			context.getBean(PgqueTemplate.class).subscribe("greetings", "reader");
			List<Long> ids = operations.sendBatch("greetings", List.of(new Greeting("hi"), new Greeting("hello")));
			operations.forceTick("greetings");
			assertThat(operations.receive("greetings", "reader", 10)).hasValueSatisfying((batch) -> {
				assertThat(batch.messages()).extracting((message) -> message.id()).containsExactlyElementsOf(ids);
				assertThat(batch.messages()).extracting((message) -> message.type()).containsOnly("Greeting");
				assertThat(operations.convert(batch.messages().get(1), Greeting.class))
					.isEqualTo(new Greeting("hello"));
			});
		});
	}

	@Test
	void runWhenQueueIsCreatedShouldTickItsVeryFirstEventAtOnce() {
		this.contextRunner.withPropertyValues("pgque.queues.first.max-retries=1").run((context) -> {
			assertThat(context).hasNotFailed();
			// What an embedded ticker does to a new queue before anything is sent: a
			// second
			// tick, after which the ticker judges by the event count.
			assertThat(ticker("first")).isNotNull();
			db.jdbc().queryForObject("SELECT pgque.send('first', 'the very first')", Long.class);
			assertThat(ticker("first")).as("a tick for the first event, not an age-based one seconds later")
				.isNotNull();
		});
	}

	private static Long ticker(String queue) {
		return db.jdbc().queryForObject("SELECT pgque.ticker(?)", Long.class, queue);
	}

	private static Integer maxRetries(String queue) {
		return db.jdbc()
			.queryForObject("SELECT queue_max_retries FROM pgque.queue WHERE queue_name = ?", Integer.class, queue);
	}

	record Greeting(String text) {
	}

}
