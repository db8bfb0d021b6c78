package io.pgque.spring.engine.api;

import java.util.List;
import java.util.Map;

import io.pgque.spring.test.PgqueTestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * set_queue_config, status and version (contract §3.4, §3.6, §4 item 44).
 */
class ManagementIntegrationTests {

	@RegisterExtension
	static final PgqueTestDatabase db = PgqueTestDatabase.withEngine();

	private final ApiSql api = new ApiSql(db.jdbc());

	@BeforeAll
	static void createQueue() {
		new ApiSql(db.jdbc()).createQueue("config");
	}

	@Test
	void setQueueConfigSetsEachParameterAndNullRestoresDefault() {
		assertThat(this.api.setConfig("config", "ticker_max_count", "7")).isEqualTo(1);
		assertThat(this.api.setConfig("config", "ticker_max_lag", "250 milliseconds")).isEqualTo(1);
		assertThat(this.api.setConfig("config", "ticker_idle_period", "10 seconds")).isEqualTo(1);
		assertThat(this.api.setConfig("config", "rotation_period", "1 hour")).isEqualTo(1);
		assertThat(this.api.setConfig("config", "ticker_paused", "true")).isEqualTo(1);
		assertThat(this.api.setConfig("config", "external_ticker", "true")).isEqualTo(1);
		assertThat(this.api.setConfig("config", "max_retries", "0")).isEqualTo(1);
		assertThat(this.api.setConfig("config", "queue_max_retries", "3")).isEqualTo(1);
		assertThat(this.api.setConfig("config", "max_retries", "3")).isEqualTo(1);
		Map<String, Object> row = queueRow();
		assertThat(row).containsEntry("queue_ticker_max_count", 7)
			.containsEntry("max_lag", "00:00:00.25")
			.containsEntry("idle", "00:00:10")
			.containsEntry("rotation", "01:00:00")
			.containsEntry("queue_ticker_paused", true)
			.containsEntry("queue_external_ticker", true)
			.containsEntry("queue_max_retries", 3);

		for (String param : List.of("ticker_max_count", "ticker_max_lag", "ticker_idle_period", "rotation_period",
				"ticker_paused", "external_ticker", "max_retries")) {
			assertThat(this.api.setConfig("config", param, null)).isEqualTo(1);
		}
		assertThat(queueRow()).containsEntry("queue_ticker_max_count", 500)
			.containsEntry("max_lag", "00:00:03")
			.containsEntry("idle", "00:01:00")
			.containsEntry("rotation", "02:00:00")
			.containsEntry("queue_ticker_paused", false)
			.containsEntry("queue_external_ticker", false)
			.containsEntry("queue_max_retries", null);
	}

	@Test
	void setQueueConfigRejectsBadInputNamingTheParameter() {
		assertThat(raised("config", "max_retries", "-1")).contains("max_retries");
		assertThat(raised("config", "ticker_max_count", "0")).contains("ticker_max_count");
		assertThat(raised("config", "ticker_max_lag", "0 seconds")).contains("ticker_max_lag");
		assertThat(raised("config", "ticker_idle_period", "-1 minute")).contains("ticker_idle_period");
		assertThat(raised("config", "rotation_period", "0")).contains("rotation_period");
		assertThat(raised("config", "colour", "blue")).contains("colour");
		assertThat(raised("nope", "max_retries", "1")).contains("No such event queue");
		assertThat(raised(null, "max_retries", "1")).contains("queue name");
		assertThat(raised("config", null, "1")).contains("parameter");
		assertThat(SqlErrors.error(() -> this.api.setConfig("config", "max_retries", "many")).getSQLState())
			.isEqualTo("22P02");
		assertThat(queueRow()).containsEntry("queue_max_retries", null).containsEntry("queue_ticker_max_count", 500);
	}

	@Test
	void versionIsTheApiLevel() {
		assertThat(db.jdbc().queryForObject("SELECT pgque.version()", String.class)).isEqualTo("0.2.0");
	}

	@Test
	void statusListsComponentsInOrder() {
		List<Map<String, Object>> rows = db.jdbc().queryForList("SELECT * FROM pgque.status()");
		assertThat(rows).extracting((row) -> row.get("component"))
			.containsExactly("postgresql", "pgque", "scheduler", "ticker", "maintenance", "pg_cron", "pg_timetable",
					"queues", "consumers");
		assertThat(rows.get(1)).containsEntry("detail", "0.2.0");
		assertThat(rows.get(2)).containsEntry("status", "manual");
		assertThat(rows.get(3)).containsEntry("status", "stopped");
		assertThat((String) rows.get(5).get("detail")).contains("pgque.ticker()").contains("pgque.maint()");
		assertThat(rows.get(7)).containsEntry("detail",
				db.jdbc().queryForObject("SELECT count(*)::text FROM pgque.queue", String.class));
	}

	private String raised(String queue, String param, String value) {
		return SqlErrors.raised(() -> this.api.setConfig(queue, param, value));
	}

	private Map<String, Object> queueRow() {
		return db.jdbc()
			.queryForMap("SELECT queue_ticker_max_count, queue_ticker_max_lag::text AS max_lag,"
					+ " queue_ticker_idle_period::text AS idle, queue_rotation_period::text AS rotation,"
					+ " queue_ticker_paused, queue_external_ticker, queue_max_retries"
					+ " FROM pgque.queue WHERE queue_name = 'config'");
	}

}
