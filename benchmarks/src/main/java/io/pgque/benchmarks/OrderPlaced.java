package io.pgque.benchmarks;

import java.math.BigDecimal;
import java.util.List;

/**
 * The benchmarks' payload: a typical outbox event, about 200 bytes of JSON.
 *
 * @param orderId the order
 * @param customer the customer
 * @param amount the total
 * @param currency the currency
 * @param items the lines
 * @param note a free-text note
 */
record OrderPlaced(String orderId, String customer, BigDecimal amount, String currency, List<Item> items, String note) {

	static OrderPlaced sample(int n) {
		return new OrderPlaced("7f3c2a9e-1b4d-4c8e-9f2a-3d5e6f7a" + String.format("%04d", n % 10_000),
				"C-" + String.format("%06d", n), new BigDecimal("129.95"), "EUR",
				List.of(new Item("SKU-1", 2), new Item("SKU-2", 1)), "deliver after 5pm");
	}

	/**
	 * An order line.
	 *
	 * @param sku the article
	 * @param qty how many
	 */
	record Item(String sku, int qty) {

	}

}
