package io.pgque.spring.diagnostics;

import java.sql.SQLException;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Explains a start-up that failed because PgQue could not connect to its database
 * (connection refused, unknown host or database, bad credentials). Only failures raised
 * while PgQue code ran are taken, so the application's own connection failures keep their
 * usual report.
 *
 * @author pgque-spring-boot authors
 */
class PgqueDatabaseUnreachableFailureAnalyzer implements FailureAnalyzer {

	private static final String PGQUE_PACKAGE = "io.pgque.spring.";

	private static final String OWN_PACKAGE = PgqueDatabaseUnreachableFailureAnalyzer.class.getPackageName() + ".";

	@Override
	public @Nullable FailureAnalysis analyze(Throwable failure) {
		SQLException unreachable = null;
		boolean inPgque = false;
		for (Throwable current = failure; current != null; current = current.getCause()) {
			if (unreachable == null && current instanceof SQLException sql && isConnectionFailure(sql)) {
				unreachable = sql;
			}
			inPgque |= ranPgqueCode(current);
			if (current.getCause() == current) {
				break;
			}
		}
		if (unreachable == null || !inPgque) {
			return null;
		}
		return new FailureAnalysis("PgQue could not connect to its database: " + unreachable.getMessage(),
				"Check that PostgreSQL is running and accepts connections at the URL of the PgQue DataSource"
						+ " (spring.datasource.url, or the DataSource bean marked @PgqueDataSource), that the"
						+ " database exists and that the user name and password are right.",
				unreachable);
	}

	// SQLSTATE classes 08 (connection exception) and 28 (invalid authorization), and
	// 3D000 (the database does not exist)
	private static boolean isConnectionFailure(SQLException ex) {
		String state = ex.getSQLState();
		return state != null && (state.startsWith("08") || state.startsWith("28") || state.equals("3D000"));
	}

	private static boolean ranPgqueCode(Throwable ex) {
		for (StackTraceElement frame : ex.getStackTrace()) {
			String type = frame.getClassName();
			if (type.startsWith(PGQUE_PACKAGE) && !type.startsWith(OWN_PACKAGE)) {
				return true;
			}
		}
		return false;
	}

}
