package io.pgque.sample;

import java.util.List;

import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.core.PgqueMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Consumer "shipping" of the same queue: it gets every event too (fan-out), with its own
 * cursor. An order without an address cannot ship: the handler throws, the event is
 * retried, then nacked, and after the queue's {@code max-retries} it lands in the
 * dead-letter queue. Give the order an address and replay the dead letter to ship it.
 */
@Component
class ShippingListener {

	private static final Logger logger = LoggerFactory.getLogger(ShippingListener.class);

	private final JdbcTemplate jdbc;

	ShippingListener(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	@PgqueListener(queue = "orders", consumer = "shipping")
	void on(OrderPlaced order, PgqueMessage message) {
		// the address is read now, not taken from the event: a fixed order ships on
		// replay
		List<String> addresses = this.jdbc.queryForList("SELECT address FROM orders WHERE id = ?", String.class,
				order.orderId());
		String address = addresses.isEmpty() ? null : addresses.get(0);
		if (address == null || address.isBlank()) {
			throw new IllegalStateException("Order " + order.orderId() + " has no address (delivery "
					+ (message.attempt() + 1) + "): PUT /orders/" + order.orderId() + "/address, then replay");
		}
		int shipped = this.jdbc.update("INSERT INTO shipments (order_id, address) VALUES (?, ?) ON CONFLICT DO NOTHING",
				order.orderId(), address);
		if (shipped == 1) {
			logger.info("shipping: order {} to {} (event {}, delivery {})", order.orderId(), address, message.id(),
					message.attempt() + 1);
		}
	}

}
