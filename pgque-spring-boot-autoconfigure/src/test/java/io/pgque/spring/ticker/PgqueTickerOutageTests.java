package io.pgque.spring.ticker;

import java.sql.SQLException;
import java.time.Duration;

import org.apache.commons.logging.Log;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.contains;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

class PgqueTickerOutageTests {

	private final Log log = mock(Log.class);

	private final PgqueTickerOutage outage = new PgqueTickerOutage(this.log, "ticking", Duration.ofSeconds(2));

	@BeforeEach
	void enableLogging() {
		given(this.log.isWarnEnabled()).willReturn(true);
		given(this.log.isInfoEnabled()).willReturn(true);
		given(this.log.isDebugEnabled()).willReturn(true);
	}

	@Test
	void failuresOfOneOutageAreWarnedOnceAndTheRecoveryIsLoggedOnce() {
		for (int i = 0; i < 5; i++) {
			this.outage.failed(new SQLException("Connection refused"), i);
		}
		verify(this.log, times(1)).warn(contains("ticking failed, retrying with back-off"));
		verify(this.log, times(4)).debug(anyString());
		assertThat(this.outage.isOngoing()).isTrue();
		this.outage.succeeded(Duration.ofSeconds(3).toNanos());
		this.outage.succeeded(Duration.ofSeconds(4).toNanos());
		verify(this.log, times(1)).info(contains("ticking recovered after 3000 ms and 5 failures"));
		assertThat(this.outage.isOngoing()).isFalse();
	}

	@Test
	void aNewOutageIsWarnedAgain() {
		this.outage.failed(new SQLException("down"), 0);
		this.outage.succeeded(1);
		this.outage.failed(new SQLException("down again"), 2);
		verify(this.log, times(2)).warn(anyString());
	}

	@Test
	void successWithoutOutageLogsNothing() {
		this.outage.succeeded(0);
		verify(this.log, never()).info(anyString());
	}

	@Test
	void backOffDoublesUpToTheMaximum() {
		long[] backoffs = new long[8];
		for (int i = 0; i < backoffs.length; i++) {
			backoffs[i] = Duration.ofNanos(this.outage.failed(new SQLException("down"), 0)).toMillis();
		}
		assertThat(backoffs).containsExactly(100, 200, 400, 800, 1600, 2000, 2000, 2000);
	}

}
