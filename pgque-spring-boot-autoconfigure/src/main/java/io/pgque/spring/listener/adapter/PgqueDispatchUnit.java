package io.pgque.spring.listener.adapter;

import java.util.List;

import io.pgque.spring.core.PgqueMessage;
import org.jspecify.annotations.Nullable;

/**
 * One call to make while dispatching a batch: a handler and its message(s), or messages
 * of a type no handler takes ({@code handler == null}).
 *
 * @param handler the handler, or {@code null} for an unknown type
 * @param messages the messages, ascending by id; one for single-message handlers
 * @author pgque-spring-boot authors
 */
public record PgqueDispatchUnit(@Nullable PgqueHandlerMethod handler, List<PgqueMessage> messages) {

	/**
	 * The first message's id, for logs and the MDC.
	 * @return the id
	 */
	public long firstId() {
		return this.messages.get(0).id();
	}

}
