package io.pgque.spring.engine.api;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.postgresql.util.PSQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Asserting on the PostgreSQL error behind a failed call.
 */
final class SqlErrors {

	private SqlErrors() {
	}

	/**
	 * The server error a call failed with.
	 * @param call the call, expected to fail
	 * @return the PostgreSQL exception
	 */
	static PSQLException error(ThrowingCallable call) {
		Throwable thrown = catchThrowable(call);
		assertThat(thrown).as("expected the call to fail").isNotNull();
		for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
			if (cause instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
				return psql;
			}
		}
		throw new AssertionError("no PostgreSQL server error behind " + thrown, thrown);
	}

	/**
	 * The message of a {@code RAISE EXCEPTION} (SQLSTATE P0001) a call failed with.
	 * @param call the call, expected to fail
	 * @return the message
	 */
	static String raised(ThrowingCallable call) {
		PSQLException error = error(call);
		assertThat(error.getSQLState()).as(error.getMessage()).isEqualTo("P0001");
		return error.getServerErrorMessage().getMessage();
	}

	/**
	 * Assert a call was denied for lack of privilege (SQLSTATE 42501).
	 * @param call the call, expected to fail
	 */
	static void denied(ThrowingCallable call) {
		PSQLException error = error(call);
		assertThat(error.getSQLState()).as(error.getMessage()).isEqualTo("42501");
	}

}
