package io.pgque.spring.listener.source;

import java.util.Collections;
import java.util.List;

import io.pgque.spring.core.PgqueMessage;

/**
 * A batch opened for a consumer and read in full.
 *
 * @param id the batch id
 * @param messages every message of the batch, ascending by id; empty for a batch whose
 * window holds no event (it must still be finished)
 * @author pgque-spring-boot authors
 */
public record PgqueOpenBatch(long id, List<PgqueMessage> messages) {

	public PgqueOpenBatch {
		messages = Collections.unmodifiableList(messages);
	}

}
