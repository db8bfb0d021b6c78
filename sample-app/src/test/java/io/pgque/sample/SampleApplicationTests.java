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
	}

	private int invoices(long orderId) {
		return this.jdbc.queryForObject("SELECT count(*) FROM invoices WHERE order_id = ?", Integer.class, orderId);
	}

}
