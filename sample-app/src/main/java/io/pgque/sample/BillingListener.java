package io.pgque.sample;

import io.pgque.spring.annotation.PgqueListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Consumer "billing" of queue "orders". Its database write commits atomically with the
 * acknowledgement of the batch, so an invoice exists exactly once per order.
 */
@Component
public class BillingListener {

	private static final Logger logger = LoggerFactory.getLogger(BillingListener.class);

	private final JdbcTemplate jdbc;

	public BillingListener(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	@PgqueListener(queue = "orders", consumer = "billing")
	public void on(OrderPlaced order) {
		this.jdbc.update("INSERT INTO invoices (order_id, amount) VALUES (?, ?)", order.orderId(), order.amount());
		logger.info("billing: invoiced order {} for {}", order.orderId(), order.amount());
	}

}
