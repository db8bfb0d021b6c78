package io.pgque.spring.engine.api;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.pgque.spring.engine.api.ApiSql.Message;
import io.pgque.spring.test.PgqueTestDatabase;
import org.jspecify.annotations.Nullable;

/**
 * The two-session receive check (contract §4 item 14, §5): session 1 receives (and
 * optionally acks) in an open transaction; session 2 receives for the same consumer
 * meanwhile; then session 1 commits. With the receive lock, session 2 waits for session 1
 * and then gets the same batch (or, after an ack, the next one or nothing), never an
 * error.
 */
final class TwoSessionReceive {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private TwoSessionReceive() {
	}

	/**
	 * Run the check once.
	 * @param db the database
	 * @param queue the queue, with ticked events for the consumer
	 * @param consumer the consumer
	 * @param ackInFirst whether session 1 acks its batch before committing
	 * @return what each session saw
	 * @throws Exception on a failure outside the sessions' receive calls
	 */
	static Outcome run(PgqueTestDatabase db, String queue, String consumer, boolean ackInFirst) throws Exception {
		try (Connection first = db.newConnection(); Connection second = db.newConnection()) {
			first.setAutoCommit(false);
			second.setAutoCommit(false);
			long secondPid = ApiSql.backendPid(second);
			second.commit();

			List<Message> firstMessages = ApiSql.receive(first, queue, consumer);
			if (ackInFirst && !firstMessages.isEmpty()) {
				ApiSql.ack(first, firstMessages.get(0).batchId());
			}
			CompletableFuture<List<Message>> secondReceive = CompletableFuture.supplyAsync(() -> {
				try {
					List<Message> messages = ApiSql.receive(second, queue, consumer);
					second.commit();
					return messages;
				}
				catch (SQLException ex) {
					rollback(second);
					throw new IllegalStateException(ex);
				}
			});
			boolean blocked = waitUntilBlocked(db, secondPid, secondReceive);
			first.commit();
			List<Message> secondMessages = null;
			Throwable secondError = null;
			try {
				secondMessages = secondReceive.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (java.util.concurrent.ExecutionException ex) {
				secondError = ex.getCause();
			}
			return new Outcome(firstMessages, blocked, secondMessages, secondError);
		}
	}

	// True once session 2 waits on a lock; false if it finished without waiting.
	private static boolean waitUntilBlocked(PgqueTestDatabase db, long pid, CompletableFuture<?> call)
			throws InterruptedException {
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (System.nanoTime() < deadline) {
			if (call.isDone()) {
				return false;
			}
			String waitEvent = db.jdbc()
				.queryForList("SELECT coalesce(wait_event_type, '') FROM pg_stat_activity WHERE pid = ?", String.class,
						pid)
				.stream()
				.findFirst()
				.orElse(null);
			if ("Lock".equals(waitEvent)) {
				return true;
			}
			Thread.sleep(10);
		}
		throw new AssertionError("session 2 neither finished nor blocked within " + WAIT);
	}

	private static void rollback(Connection connection) {
		try {
			connection.rollback();
		}
		catch (SQLException ex) {
			// the connection is closed by the caller anyway
		}
	}

	/**
	 * What the two sessions saw.
	 *
	 * @param first session 1's messages
	 * @param secondBlocked whether session 2 waited for session 1
	 * @param second session 2's messages, {@code null} if it failed
	 * @param secondError session 2's failure, if any
	 */
	record Outcome(List<Message> first, boolean secondBlocked, @Nullable List<Message> second,
			@Nullable Throwable secondError) {

		long firstBatch() {
			return this.first.get(0).batchId();
		}

	}

}
