package io.pgque.sample;

import io.pgque.spring.annotation.PgqueListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Consumer "billing" of queue "orders". Its write commits atomically with the
 * acknowledgement of the batch; {@code ON CONFLICT DO NOTHING} makes it idempotent, since
 * a replayed dead letter reaches every consumer again.
 */
@Component
class BillingListener {

	private static final Logger logger = LoggerFactory.getLogger(BillingListener.class);

	private final JdbcTemplate jdbc;

	BillingListener(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	@PgqueListener(queue = "orders", consumer = "billing")
	void on(OrderPlaced order) {
		int invoiced = this.jdbc.update("INSERT INTO invoices (order_id, amount) VALUES (?, ?) ON CONFLICT DO NOTHING",
				order.orderId(), order.amount());
		if (invoiced == 1) {
			logger.info("billing: invoiced order {} for {}", order.orderId(), order.amount());
		}
	}

}
