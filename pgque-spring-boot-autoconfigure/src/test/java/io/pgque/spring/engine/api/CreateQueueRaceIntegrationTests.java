package io.pgque.spring.engine.api;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Instances starting together each create their queues: two sessions creating one queue
 * at once must both succeed, the second seeing the first's queue. (The fault suite's
 * three processes on an empty database failed on the unique index before.)
 */
class CreateQueueRaceIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	@Test
	void secondConcurrentCreationWaitsForTheFirstAndReturnsZero() throws Exception {
		try (Connection first = db.newConnection(); Connection second = db.newConnection()) {
			first.setAutoCommit(false);
			second.setAutoCommit(false);
			assertThat(createQueue(first, "raced")).isOne();
			CompletableFuture<Integer> secondCreation = CompletableFuture.supplyAsync(() -> {
				try {
					int result = createQueue(second, "raced");
					second.commit();
					return result;
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});
			Thread.sleep(200);
			assertThat(secondCreation).isNotDone();
			first.commit();
			assertThat(secondCreation.get(10, TimeUnit.SECONDS)).isZero();
		}
		assertThat(
				db.jdbc().queryForObject("SELECT count(*) FROM pgque.queue WHERE queue_name = 'raced'", Integer.class))
			.isOne();
	}

	@Test
	void secondConcurrentCreationCreatesTheQueueWhenTheFirstRollsBack() throws Exception {
		try (Connection first = db.newConnection(); Connection second = db.newConnection()) {
			first.setAutoCommit(false);
			second.setAutoCommit(false);
			assertThat(createQueue(first, "retried")).isOne();
			CompletableFuture<Integer> secondCreation = CompletableFuture.supplyAsync(() -> {
				try {
					int result = createQueue(second, "retried");
					second.commit();
					return result;
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});
			Thread.sleep(200);
			first.rollback();
			assertThat(secondCreation.get(10, TimeUnit.SECONDS)).isOne();
		}
		assertThat(db.jdbc().queryForObject("SELECT pgque.send('retried', 'works')", Long.class)).isPositive();
	}

	private static int createQueue(Connection connection, String queue) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT pgque.create_queue('" + queue + "')")) {
			rs.next();
			return rs.getInt(1);
		}
	}

}
