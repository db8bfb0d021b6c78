package io.pgque.spring.endpoint;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.pgque.spring.core.PgqueAdminOperations;
import io.pgque.spring.core.PgqueConsumerInfo;
import io.pgque.spring.core.PgqueLogText;
import io.pgque.spring.core.PgqueOperations;
import io.pgque.spring.core.PgqueQueueInfo;
import io.pgque.spring.endpoint.PgqueEndpointViews.Consumer;
import io.pgque.spring.endpoint.PgqueEndpointViews.Container;
import io.pgque.spring.endpoint.PgqueEndpointViews.DeadLetter;
import io.pgque.spring.endpoint.PgqueEndpointViews.Overview;
import io.pgque.spring.endpoint.PgqueEndpointViews.Queue;
import io.pgque.spring.endpoint.PgqueEndpointViews.QueueDetail;
import io.pgque.spring.endpoint.PgqueEndpointViews.WriteResult;
import io.pgque.spring.listener.PgqueListenerContainer;
import io.pgque.spring.listener.PgqueListenerContainerRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.convert.DurationStyle;

/**
 * The {@code pgque} actuator endpoint. Exposed only when the application exposes it
 * ({@code management.endpoints.web.exposure.include=pgque}), like every endpoint.
 * <ul>
 * <li>{@code GET /actuator/pgque}: queues, consumers and this application's
 * containers;</li>
 * <li>{@code GET /actuator/pgque/{queue}?page=0&size=20}: a queue, its consumers and a
 * page of its dead letters, newest first;</li>
 * <li>{@code POST /actuator/pgque/containers/{id}/{pause|resume|start|stop}} (pause takes
 * an optional {@code duration});</li>
 * <li>{@code POST /actuator/pgque/queues/{queue}/{replay|purge|tick}} (purge takes an
 * optional {@code olderThan});</li>
 * <li>{@code POST /actuator/pgque/dead-letters/{id}/replay}.</li>
 * </ul>
 * Every write is logged at INFO (who, what, result) by the logger of this class.
 *
 * @author pgque-spring-boot authors
 */
@Endpoint(id = "pgque")
public class PgqueEndpoint {

	private static final Log logger = LogFactory.getLog(PgqueEndpoint.class);

	private static final int MAX_PAGE_END = 10_000;

	private final PgqueAdminOperations admin;

	private final PgqueOperations operations;

	private final @Nullable PgqueListenerContainerRegistry registry;

	/**
	 * Create the endpoint.
	 * @param admin reads and administers queues and dead letters
	 * @param operations ticks queues
	 * @param registry this application's containers, or {@code null} without listeners
	 */
	public PgqueEndpoint(PgqueAdminOperations admin, PgqueOperations operations,
			@Nullable PgqueListenerContainerRegistry registry) {
		this.admin = admin;
		this.operations = operations;
		this.registry = registry;
	}

	@ReadOperation
	public Overview overview() {
		Map<String, Long> deadLetters = this.admin.countDeadLetters();
		List<Queue> queues = this.admin.getQueueInfo()
			.stream()
			.map((info) -> Queue.of(info, deadLetters.getOrDefault(info.name(), 0L)))
			.toList();
		List<PgqueConsumerInfo> consumers = this.admin.getConsumerInfo();
		List<Container> containers = containers().stream()
			.map((container) -> Container.of(container, currentBatch(consumers, container)))
			.toList();
		return new Overview(queues, consumers.stream().map(Consumer::of).toList(), containers);
	}

	@ReadOperation
	public @Nullable QueueDetail queue(@Selector String queue, @Nullable Integer page, @Nullable Integer size) {
		int pageNumber = (page != null) ? page : 0;
		int pageSize = (size != null) ? size : 20;
		if (pageNumber < 0 || pageSize < 1 || (long) (pageNumber + 1) * pageSize > MAX_PAGE_END) {
			throw new InvalidEndpointRequestException(
					"page must be 0 or more and size 1 or more, up to the " + MAX_PAGE_END + "th dead letter",
					"Bad page");
		}
		Optional<PgqueQueueInfo> info = this.admin.getQueueInfo(queue);
		if (info.isEmpty()) {
			return null;
		}
		// dlq_inspect has no offset: read up to the end of the page, keep the page
		List<DeadLetter> letters = this.admin.getDeadLetters(queue, (pageNumber + 1) * pageSize)
			.stream()
			.skip((long) pageNumber * pageSize)
			.map(DeadLetter::of)
			.toList();
		long deadLetters = this.admin.countDeadLetters().getOrDefault(queue, 0L);
		return new QueueDetail(Queue.of(info.get(), deadLetters),
				this.admin.getConsumerInfo(queue).stream().map(Consumer::of).toList(), letters, pageNumber, pageSize);
	}

	@WriteOperation
	public WriteResult write(@Selector String kind, @Selector String name, @Selector String action,
			@Nullable String duration, @Nullable String olderThan, SecurityContext securityContext) {
		String target = kind + "/" + name;
		Object result = switch (kind) {
			case "containers" -> container(name, action, duration);
			case "queues" -> queue(name, action, olderThan);
			case "dead-letters" -> deadLetter(name, action);
			default -> throw invalid("Unknown kind '" + kind + "'; use containers, queues or dead-letters");
		};
		if (logger.isInfoEnabled()) {
			logger.info("PgQue endpoint: " + PgqueLogText.of(action) + " " + PgqueLogText.of(target)
					+ ((duration != null) ? " for " + PgqueLogText.of(duration) : "")
					+ ((olderThan != null) ? " older than " + PgqueLogText.of(olderThan) : "") + " by "
					+ principal(securityContext) + ": " + result);
		}
		return new WriteResult(target, action, result);
	}

	private Object container(String id, String action, @Nullable String duration) {
		PgqueListenerContainer container = containers().stream()
			.filter((candidate) -> candidate.getId().equals(id))
			.findFirst()
			.orElseThrow(() -> invalid("No PgQue listener container with id '" + PgqueLogText.of(id) + "'; known: "
					+ containers().stream().map(PgqueListenerContainer::getId).toList()));
		switch (action) {
			case "pause" -> container.pause((duration != null) ? duration(duration, "duration") : null);
			case "resume" -> container.resume();
			case "start" -> container.start();
			case "stop" -> container.stop();
			default -> throw invalid(
					"Unknown container action '" + PgqueLogText.of(action) + "'; use pause, resume, start or stop");
		}
		return container.getState().jsonName();
	}

	private Object queue(String queue, String action, @Nullable String olderThan) {
		return switch (action) {
			case "replay" -> this.admin.replayDeadLetters(queue);
			case "purge" -> this.admin.purgeDeadLetters(queue,
					(olderThan != null) ? duration(olderThan, "olderThan") : Duration.ZERO);
			case "tick" -> String.valueOf(this.operations.forceTick(queue));
			default ->
				throw invalid("Unknown queue action '" + PgqueLogText.of(action) + "'; use replay, purge or tick");
		};
	}

	private Object deadLetter(String id, String action) {
		if (!action.equals("replay")) {
			throw invalid("Unknown dead-letter action '" + PgqueLogText.of(action) + "'; use replay");
		}
		try {
			return this.admin.replayDeadLetter(Long.parseLong(id));
		}
		catch (NumberFormatException ex) {
			throw invalid("A dead-letter id is a number, not '" + PgqueLogText.of(id) + "'");
		}
	}

	private Collection<PgqueListenerContainer> containers() {
		return (this.registry != null) ? this.registry.getListenerContainers() : List.of();
	}

	private static @Nullable Long currentBatch(List<PgqueConsumerInfo> consumers, PgqueListenerContainer container) {
		return consumers.stream()
			.filter((info) -> info.queue().equals(container.getQueue())
					&& info.consumer().equals(container.getConsumer()))
			.map(PgqueConsumerInfo::currentBatch)
			.filter((batch) -> batch != null)
			.findFirst()
			.orElse(null);
	}

	private static Duration duration(String text, String parameter) {
		try {
			return DurationStyle.detectAndParse(text);
		}
		catch (IllegalArgumentException ex) {
			throw invalid(parameter + " must be a duration such as 30s or PT30S, not '" + PgqueLogText.of(text) + "'");
		}
	}

	private static String principal(SecurityContext securityContext) {
		return (securityContext.getPrincipal() != null) ? PgqueLogText.of(securityContext.getPrincipal().getName())
				: "anonymous";
	}

	private static InvalidEndpointRequestException invalid(String message) {
		return new InvalidEndpointRequestException(message, message);
	}

}
