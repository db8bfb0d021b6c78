package io.pgque.spring.listener.source;

import java.util.Collections;
import java.util.List;

import io.pgque.spring.core.PgqueMessage;

/**
 * A page of a batch opened for a consumer: its first events, or the events after those of
 * the page before. A batch holding no more events than a page takes is read in one page.
 *
 * @param id the batch id
 * @param messages the messages of this page, ascending by id; empty for a batch whose
 * window holds no event (it must still be finished)
 * @param last whether no event of the batch follows this page; a batch is acked only
 * after its last page was read
 * @author pgque-spring-boot authors
 */
public record PgqueOpenBatch(long id, List<PgqueMessage> messages, boolean last) {

	public PgqueOpenBatch {
		messages = Collections.unmodifiableList(messages);
	}

	/**
	 * The id of the last message of this page.
	 * @return the id, or {@code 0} for an empty page
	 */
	public long lastId() {
		return this.messages.isEmpty() ? 0 : this.messages.get(this.messages.size() - 1).id();
	}

}
