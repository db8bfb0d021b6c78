package io.pgque.sample;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The orders API: place an order, list orders with their billing and shipping state, give
 * an order the address its shipping needs.
 */
@RestController
@RequestMapping("/orders")
class OrderController {

	private final OrderService orders;

	OrderController(OrderService orders) {
		this.orders = orders;
	}

	@PostMapping
	@ResponseStatus(HttpStatus.CREATED)
	Map<String, Long> place(@RequestBody PlaceOrder request) {
		if (request.customer() == null || request.customer().isBlank() || request.amount() == null
				|| request.amount().signum() <= 0) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"an order needs a customer and a positive amount");
		}
		return Map.of("id", this.orders.placeOrder(request.customer(), request.amount(), request.address()));
	}

	@GetMapping
	List<Order> list() {
		return this.orders.orders();
	}

	@GetMapping("/{id}")
	Order get(@PathVariable long id) {
		return this.orders.order(id).orElseThrow(() -> notFound(id));
	}

	@PutMapping("/{id}/address")
	Order changeAddress(@PathVariable long id, @RequestBody String address) {
		if (!this.orders.changeAddress(id, address)) {
			throw notFound(id);
		}
		return get(id);
	}

	private static ResponseStatusException notFound(long id) {
		return new ResponseStatusException(HttpStatus.NOT_FOUND, "no order " + id);
	}

	/**
	 * The body of {@code POST /orders}.
	 *
	 * @param customer who orders
	 * @param amount how much
	 * @param address where to ship; without one, shipping fails and the event ends in the
	 * dead-letter queue
	 */
	record PlaceOrder(@Nullable String customer, @Nullable BigDecimal amount, @Nullable String address) {

	}

}
