package io.pgque.sample;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.jspecify.annotations.Nullable;

/**
 * An order as the API shows it: billing and shipping are {@code PENDING} until their
 * consumer has handled the order's event, then {@code BILLED} and {@code SHIPPED}.
 *
 * @param id the order's id
 * @param customer who ordered
 * @param amount how much
 * @param address where to ship, if known
 * @param billing {@code PENDING} or {@code BILLED}
 * @param shipping {@code PENDING} or {@code SHIPPED}
 */
public record Order(long id, String customer, BigDecimal amount, @Nullable String address, String billing,
		String shipping) {

	static Order of(ResultSet rs) throws SQLException {
		String billing = (rs.getObject("billed_at") != null) ? "BILLED" : "PENDING";
		String shipping = (rs.getObject("shipped_at") != null) ? "SHIPPED" : "PENDING";
		return new Order(rs.getLong("id"), rs.getString("customer"), rs.getBigDecimal("amount"),
				rs.getString("address"), billing, shipping);
	}

}
