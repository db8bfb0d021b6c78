package io.pgque.spring.core;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.RowMapper;

/**
 * Reads the engine's rows into records. Intervals are selected as
 * {@code extract(epoch from ...)} seconds so that no driver-specific interval type is
 * needed; the column lists are in {@link PgqueSql}.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueRowMappers {

	static final RowMapper<PgqueMessage> MESSAGE = (rs, row) -> new PgqueMessage(rs.getLong("msg_id"),
			rs.getLong("batch_id"), rs.getString("type"), rs.getString("payload"), getInteger(rs, "retry_count"),
			rs.getObject("created_at", OffsetDateTime.class), rs.getString("extra1"), rs.getString("extra2"),
			rs.getString("extra3"), rs.getString("extra4"));

	static final RowMapper<PgqueQueueInfo> QUEUE_INFO = (rs, row) -> new PgqueQueueInfo(rs.getString("queue_name"),
			rs.getInt("queue_ntables"), rs.getInt("queue_cur_table"), requireSeconds(rs, "queue_rotation_period"),
			rs.getObject("queue_switch_time", OffsetDateTime.class), rs.getBoolean("queue_external_ticker"),
			rs.getBoolean("queue_ticker_paused"), rs.getInt("queue_ticker_max_count"),
			requireSeconds(rs, "queue_ticker_max_lag"), requireSeconds(rs, "queue_ticker_idle_period"),
			getSeconds(rs, "ticker_lag"), getDouble(rs, "ev_per_sec"), rs.getLong("ev_new"),
			getLong(rs, "last_tick_id"));

	static final RowMapper<PgqueConsumerInfo> CONSUMER_INFO = (rs, row) -> new PgqueConsumerInfo(
			rs.getString("queue_name"), rs.getString("consumer_name"), getSeconds(rs, "lag"),
			getSeconds(rs, "last_seen"), getLong(rs, "last_tick"), getLong(rs, "current_batch"),
			getLong(rs, "next_tick"), getLong(rs, "pending_events"));

	static final RowMapper<PgqueBatchInfo> BATCH_INFO = (rs, row) -> new PgqueBatchInfo(rs.getString("queue_name"),
			rs.getString("consumer_name"), rs.getObject("batch_start", OffsetDateTime.class),
			rs.getObject("batch_end", OffsetDateTime.class), getLong(rs, "prev_tick_id"), getLong(rs, "tick_id"),
			getSeconds(rs, "lag"), getLong(rs, "seq_start"), getLong(rs, "seq_end"));

	static final RowMapper<PgqueStatus> STATUS = (rs, row) -> new PgqueStatus(rs.getString("component"),
			rs.getString("status"), rs.getString("detail"));

	static final RowMapper<PgqueDeadLetter> DEAD_LETTER = (rs, row) -> new PgqueDeadLetter(rs.getLong("dl_id"),
			rs.getString("queue_name"), rs.getString("consumer_name"), rs.getObject("dl_time", OffsetDateTime.class),
			rs.getString("dl_reason"), rs.getLong("ev_id"), rs.getObject("ev_time", OffsetDateTime.class),
			getInteger(rs, "ev_retry"), rs.getString("ev_type"), rs.getString("ev_data"), rs.getString("ev_extra1"),
			rs.getString("ev_extra2"), rs.getString("ev_extra3"), rs.getString("ev_extra4"));

	static final RowMapper<PgqueReplayResult> REPLAY_RESULT = (rs, row) -> new PgqueReplayResult(rs.getLong("replayed"),
			rs.getLong("failed"), rs.getString("first_error"));

	private PgqueRowMappers() {
	}

	private static @Nullable Integer getInteger(ResultSet rs, String column) throws SQLException {
		int value = rs.getInt(column);
		return rs.wasNull() ? null : value;
	}

	private static @Nullable Long getLong(ResultSet rs, String column) throws SQLException {
		long value = rs.getLong(column);
		return rs.wasNull() ? null : value;
	}

	private static @Nullable Double getDouble(ResultSet rs, String column) throws SQLException {
		double value = rs.getDouble(column);
		return rs.wasNull() ? null : value;
	}

	private static @Nullable Duration getSeconds(ResultSet rs, String column) throws SQLException {
		BigDecimal seconds = rs.getBigDecimal(column);
		if (seconds == null) {
			return null;
		}
		BigDecimal whole = seconds.setScale(0, java.math.RoundingMode.FLOOR);
		return Duration.ofSeconds(whole.longValueExact(), seconds.subtract(whole).movePointRight(9).longValue());
	}

	private static Duration requireSeconds(ResultSet rs, String column) throws SQLException {
		Duration duration = getSeconds(rs, column);
		return (duration != null) ? duration : Duration.ZERO;
	}

}
