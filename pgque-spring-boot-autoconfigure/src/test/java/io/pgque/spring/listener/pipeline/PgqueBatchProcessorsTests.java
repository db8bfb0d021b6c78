package io.pgque.spring.listener.pipeline;

import org.junit.jupiter.api.Test;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * How {@link PgqueBatchProcessors#resolve} picks the mode a container runs in.
 */
class PgqueBatchProcessorsTests {

	private final PlatformTransactionManager jdbc = new DataSourceTransactionManager(new SimpleDriverDataSource());

	private final PlatformTransactionManager jpa = new JpaTransactionManager();

	@Test
	void resolveWhenAutoShouldUseSavepointsOnlyWithADataSourceTransactionManager() {
		assertThat(resolve(PgqueTransactionMode.AUTO, this.jdbc)).isEqualTo(PgqueTransactionMode.SAVEPOINT);
		assertThat(resolve(PgqueTransactionMode.AUTO, new JdbcTransactionManager(new SimpleDriverDataSource())))
			.isEqualTo(PgqueTransactionMode.SAVEPOINT);
		assertThat(resolve(PgqueTransactionMode.AUTO, this.jpa)).isEqualTo(PgqueTransactionMode.REPLAY);
	}

	@Test
	void resolveWhenSavepointWithAnotherTransactionManagerShouldFailNamingTheListenersAndTheProperty() {
		assertThat(resolve(PgqueTransactionMode.SAVEPOINT, this.jdbc)).isEqualTo(PgqueTransactionMode.SAVEPOINT);
		assertThatIllegalStateException().isThrownBy(() -> resolve(PgqueTransactionMode.SAVEPOINT, this.jpa))
			.withMessageContaining("@PgqueListener Orders.on(String) of orders/c")
			.withMessageContaining(JpaTransactionManager.class.getName())
			.withMessageContaining("pgque.listener.transaction-mode");
	}

	@Test
	void resolveWhenReplayOrAtLeastOnceShouldKeepItWithAnyTransactionManager() {
		for (PlatformTransactionManager transactionManager : new PlatformTransactionManager[] { this.jdbc, this.jpa }) {
			assertThat(resolve(PgqueTransactionMode.REPLAY, transactionManager)).isEqualTo(PgqueTransactionMode.REPLAY);
			assertThat(resolve(PgqueTransactionMode.AT_LEAST_ONCE, transactionManager))
				.isEqualTo(PgqueTransactionMode.AT_LEAST_ONCE);
		}
	}

	private static PgqueTransactionMode resolve(PgqueTransactionMode mode, PlatformTransactionManager transactions) {
		return PgqueBatchProcessors.resolve(mode, transactions, "@PgqueListener Orders.on(String) of orders/c");
	}

}
