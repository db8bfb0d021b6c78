package io.pgque.spring.observation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.SenderContext;

/**
 * The context of a {@code pgque.send} observation. Its carrier collects the propagation
 * fields a tracer writes; they are stored with the events (see
 * {@link PgqueTraceContext}).
 *
 * @author pgque-spring-boot authors
 */
public class PgqueSendContext extends SenderContext<Map<String, String>> {

	private final String queue;

	private final String type;

	private final int count;

	private List<Long> eventIds = List.of();

	/**
	 * Create a context.
	 * @param queue the queue
	 * @param type the event type, {@code mixed} for several
	 * @param count how many events are sent
	 */
	public PgqueSendContext(String queue, String type, int count) {
		super((carrier, name, value) -> {
			if (carrier != null) {
				carrier.put(name, value);
			}
		}, Kind.PRODUCER);
		this.queue = queue;
		this.type = type;
		this.count = count;
		setCarrier(new LinkedHashMap<>());
		setRemoteServiceName("pgque");
	}

	public String getQueue() {
		return this.queue;
	}

	public String getType() {
		return this.type;
	}

	public int getCount() {
		return this.count;
	}

	/**
	 * The ids of the sent events, once sent.
	 * @return the ids, empty before or after a failure
	 */
	public List<Long> getEventIds() {
		return this.eventIds;
	}

	public void setEventIds(List<Long> eventIds) {
		this.eventIds = List.copyOf(eventIds);
	}

}
