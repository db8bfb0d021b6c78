package io.pgque.sample;

import io.pgque.spring.annotation.PgqueListener;
import io.pgque.spring.core.PgqueMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Consumer "shipping" of the same queue: it gets every event too (fan-out), with its own
 * cursor. It takes the whole message to show the metadata.
 */
@Component
public class ShippingListener {

	private static final Logger logger = LoggerFactory.getLogger(ShippingListener.class);

	@PgqueListener(queue = "orders", consumer = "shipping")
	public void on(OrderPlaced order, PgqueMessage message) {
		logger.info("shipping: order {} (event {}, attempt {})", order.orderId(), message.id(), message.attempt());
	}

}
