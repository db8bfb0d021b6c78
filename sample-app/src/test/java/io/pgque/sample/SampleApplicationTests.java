package io.pgque.sample;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample end to end on its embedded PostgreSQL: an order placed in a transaction is
 * invoiced exactly once by the billing listener.
 */
@SpringBootTest(properties = "sample.orders-at-startup=0")
class SampleApplicationTests {

	@Autowired
	private OrderService orders;

	@Autowired
	private JdbcTemplate jdbc;

	@Test
	void placedOrderIsInvoicedExactlyOnce() throws InterruptedException {
		long id = this.orders.placeOrder("alice", new BigDecimal("42.00"));
		Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
		while (invoices(id) == 0 && Instant.now().isBefore(deadline)) {
			Thread.sleep(50);
		}
		assertThat(invoices(id)).isEqualTo(1);
		assertThat(this.jdbc.queryForObject("SELECT amount FROM invoices WHERE order_id = ?", BigDecimal.class, id))
			.isEqualByComparingTo("42.00");
		// a second delivery would fail on the invoice's key and be nacked: once billing
		// has acked everything, nothing waits for a retry or sits in the dead letters
		while (pendingForBilling() > 0 && Instant.now().isBefore(deadline)) {
			Thread.sleep(50);
		}
		assertThat(pendingForBilling()).isZero();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgque.retry_queue", Integer.class)).isZero();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgque.dead_letter", Integer.class)).isZero();
	}

	private long pendingForBilling() {
		Long pending = this.jdbc.queryForObject(
				"SELECT coalesce(pending_events, 0) FROM pgque.get_consumer_info('orders', 'billing')", Long.class);
		return (pending != null) ? pending : 0;
	}

	private int invoices(long orderId) {
		return this.jdbc.queryForObject("SELECT count(*) FROM invoices WHERE order_id = ?", Integer.class, orderId);
	}

}
