package io.pgque.spring.engine;

import java.util.List;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole PgQ round trip once: create queue, subscribe, insert, tick, next batch, read,
 * finish.
 */
class EngineSmokeIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final EngineSql sql = new EngineSql(db.jdbc());

	@Test
	void eventTravelsFromInsertToFinishedBatch() {
		assertThat(this.sql.createQueue("smoke")).isEqualTo(1);
		assertThat(this.sql.subscribe("smoke", "reader")).isEqualTo(1);
		long id = this.sql.insert("smoke", "greeting", "hello");
		this.sql.tick("smoke");

		Long batch = this.sql.nextBatch("smoke", "reader");
		assertThat(batch).isNotNull();
		List<EngineSql.Event> events = this.sql.batchEvents(batch);
		assertThat(events).containsExactly(new EngineSql.Event(id, "greeting", "hello", null));
		assertThat(this.sql.finishBatch(batch)).isEqualTo(1);

		assertThat(this.sql.nextBatch("smoke", "reader")).isNull();
	}

}
