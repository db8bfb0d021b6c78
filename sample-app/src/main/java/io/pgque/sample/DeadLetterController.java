package io.pgque.sample;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import io.pgque.spring.core.PgqueAdminOperations;
import io.pgque.spring.core.PgqueDeadLetter;
import io.pgque.spring.core.PgqueDeadLetterNotFoundException;
import io.pgque.spring.core.PgqueReplayResult;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The dead letters of queue {@code orders} through the starter's admin operations: list
 * them, replay one or all. A replay sends the event again to every consumer of the queue,
 * so consumers must tolerate an event they have already handled (billing does).
 */
@RestController
@RequestMapping("/dead-letters")
class DeadLetterController {

	private static final String QUEUE = "orders";

	private final PgqueAdminOperations admin;

	DeadLetterController(PgqueAdminOperations admin) {
		this.admin = admin;
	}

	@GetMapping
	List<DeadLetter> list() {
		return this.admin.getDeadLetters(QUEUE, 100).stream().map(DeadLetter::of).toList();
	}

	@PostMapping("/{id}/replay")
	Map<String, Long> replay(@PathVariable long id) {
		try {
			return Map.of("eventId", this.admin.replayDeadLetter(id));
		}
		catch (PgqueDeadLetterNotFoundException ex) {
			throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no dead letter " + id);
		}
	}

	@PostMapping("/replay")
	PgqueReplayResult replayAll() {
		return this.admin.replayDeadLetters(QUEUE);
	}

	/**
	 * A dead letter as the API shows it.
	 *
	 * @param id the dead letter's id, to replay it
	 * @param consumer the consumer that gave up on the event
	 * @param reason why (the handler's exception)
	 * @param retries how many times the event was retried before
	 * @param type the event type
	 * @param payload the event, as sent
	 * @param deadAt when it was given up
	 */
	record DeadLetter(long id, @Nullable String consumer, @Nullable String reason, @Nullable Integer retries,
			@Nullable String type, @Nullable String payload, OffsetDateTime deadAt) {

		static DeadLetter of(PgqueDeadLetter letter) {
			return new DeadLetter(letter.id(), letter.consumer(), letter.reason(), letter.retryCount(), letter.type(),
					letter.payload(), letter.deadAt());
		}

	}

}
