package io.pgque.sample;

import java.math.BigDecimal;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Places a few orders when the sample starts, so there is something to watch in the log.
 */
@Component
class StartupOrders implements ApplicationRunner {

	private final OrderService orders;

	private final int count;

	StartupOrders(OrderService orders, @Value("${sample.orders-at-startup:0}") int count) {
		this.orders = orders;
		this.count = count;
	}

	@Override
	public void run(ApplicationArguments args) {
		for (int i = 1; i <= this.count; i++) {
			this.orders.placeOrder("customer-" + i, BigDecimal.valueOf(10L * i));
		}
	}

}
