package io.pgque.sample;

import java.math.BigDecimal;

import io.pgque.spring.core.PgqueOperations;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Writes an order and publishes its event in one transaction: both commit, or neither (a
 * transactional outbox without an outbox table).
 */
@Service
public class OrderService {

	private final JdbcTemplate jdbc;

	private final PgqueOperations pgque;

	public OrderService(JdbcTemplate jdbc, PgqueOperations pgque) {
		this.jdbc = jdbc;
		this.pgque = pgque;
	}

	@Transactional
	public long placeOrder(String customer, BigDecimal amount) {
		Long id = this.jdbc.queryForObject("INSERT INTO orders (customer, amount) VALUES (?, ?) RETURNING id",
				Long.class, customer, amount);
		this.pgque.send("orders", new OrderPlaced(id, customer, amount));
		return id;
	}

}
