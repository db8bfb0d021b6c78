package io.pgque.sample;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

import io.pgque.spring.core.PgqueOperations;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Writes an order and publishes its event in one transaction: both commit, or neither (a
 * transactional outbox without an outbox table). Reads orders with what billing and
 * shipping have done so far.
 */
@Service
public class OrderService {

	// billing and shipping write their own tables: an order's state is what they wrote
	private static final String SELECT_ORDERS = """
			SELECT o.id, o.customer, o.amount, o.address, i.billed_at, s.shipped_at
			FROM orders o
			LEFT JOIN invoices i ON i.order_id = o.id
			LEFT JOIN shipments s ON s.order_id = o.id
			""";

	private final JdbcTemplate jdbc;

	private final PgqueOperations pgque;

	public OrderService(JdbcTemplate jdbc, PgqueOperations pgque) {
		this.jdbc = jdbc;
		this.pgque = pgque;
	}

	@Transactional
	public long placeOrder(String customer, BigDecimal amount, @Nullable String address) {
		Long id = this.jdbc.queryForObject(
				"INSERT INTO orders (customer, amount, address) VALUES (?, ?, ?) RETURNING id", Long.class, customer,
				amount, address);
		this.pgque.send("orders", new OrderPlaced(id, customer, amount));
		return id;
	}

	public List<Order> orders() {
		return this.jdbc.query(SELECT_ORDERS + "ORDER BY o.id", (rs, row) -> Order.of(rs));
	}

	public Optional<Order> order(long id) {
		return this.jdbc.query(SELECT_ORDERS + "WHERE o.id = ?", (rs, row) -> Order.of(rs), id).stream().findFirst();
	}

	/**
	 * Give an order the address shipping needs.
	 * @param id the order
	 * @param address the address
	 * @return whether the order exists
	 */
	public boolean changeAddress(long id, String address) {
		return this.jdbc.update("UPDATE orders SET address = ? WHERE id = ?", address, id) == 1;
	}

}
