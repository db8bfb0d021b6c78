package io.pgque.sample;

import java.math.BigDecimal;

/**
 * The event the sample publishes: a record, sent as JSON.
 *
 * @param orderId the order's id
 * @param customer who ordered
 * @param amount how much
 */
public record OrderPlaced(long orderId, String customer, BigDecimal amount) {

}
