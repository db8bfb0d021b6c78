package io.pgque.spring.core;

import io.pgque.spring.PgqueException;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;

/**
 * Turns the engine's errors into {@link PgqueException} types. The engine's messages are
 * matched by family (case-insensitive substrings its clients rely on), so this works
 * against upstream PgQue installs too.
 * <p>
 * Errors the engine raised ({@code RAISE EXCEPTION}, SQLSTATE {@code P0001}) that fit no
 * family become a plain {@link PgqueException}; a missing engine becomes one that says
 * so, and a permission error a {@link PgquePermissionDeniedException} naming the engine
 * role to grant. Other database failures (connection, constraint) stay Spring
 * {@link DataAccessException}s.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueErrorTranslator {

	private static final List<String> QUEUE_MISSING = List.of("queue not found", "no such queue", "no such event queue",
			"event queue not found", "event queue not created");

	private static final List<String> CONSUMER_MISSING = List.of("consumer not registered", "consumer not found",
			"not subscriber to queue");

	private static final List<String> BATCH_MISSING = List.of("batch not found", "cannot find data for batch");

	private static final String DEAD_LETTER_MISSING = "dead letter entry not found";

	private static final String INSUFFICIENT_PRIVILEGE = "42501";

	private static final String PERMISSION_DENIED = "permission denied for ";

	/**
	 * Run a call of the engine, translating what it throws: the one way the template and
	 * the listener containers issue the engine's statements.
	 * @param <T> the result type
	 * @param operation what is attempted, for the message, e.g. {@code send}
	 * @param queue the queue the call names, if any
	 * @param consumer the consumer the call names, if any
	 * @param id the batch or dead-letter id the call names, if any
	 * @param call the call
	 * @return its result
	 */
	public <T> T call(String operation, @Nullable String queue, @Nullable String consumer, @Nullable Long id,
			Supplier<T> call) {
		try {
			return call.get();
		}
		catch (DataAccessException ex) {
			throw translate(operation, ex, queue, consumer, id);
		}
	}

	/**
	 * Translate a failed call.
	 * @param operation what was attempted, for the message, e.g. {@code send}
	 * @param ex the failure
	 * @param queue the queue the call named, if any
	 * @param consumer the consumer the call named, if any
	 * @param id the batch or dead-letter id the call named, if any
	 * @return the exception to throw
	 */
	public RuntimeException translate(String operation, DataAccessException ex, @Nullable String queue,
			@Nullable String consumer, @Nullable Long id) {
		SQLException sqlException = findSqlException(ex);
		if (sqlException == null) {
			return ex;
		}
		String message = serverMessage(sqlException);
		String lower = message.toLowerCase(Locale.ROOT);
		if (id != null && lower.contains(DEAD_LETTER_MISSING)) {
			return new PgqueDeadLetterNotFoundException(id, ex);
		}
		if (id != null && BATCH_MISSING.stream().anyMatch(lower::contains)) {
			return new PgqueBatchNotFoundException(id, ex);
		}
		if (queue != null && consumer != null && CONSUMER_MISSING.stream().anyMatch(lower::contains)) {
			return new PgqueConsumerNotFoundException(queue, consumer, ex);
		}
		if (queue != null && QUEUE_MISSING.stream().anyMatch(lower::contains)) {
			return new PgqueQueueNotFoundException(queue, ex);
		}
		String state = sqlException.getSQLState();
		if (INSUFFICIENT_PRIVILEGE.equals(state) && lower.startsWith(PERMISSION_DENIED)) {
			return permissionDenied(operation, message.substring(PERMISSION_DENIED.length()), ex);
		}
		if ("P0001".equals(state)) {
			return new PgqueException("PgQue " + operation + " failed: " + message, ex);
		}
		if (("42883".equals(state) || "3F000".equals(state)) && lower.contains("pgque")) {
			return new PgqueException("PgQue " + operation + " failed because the PgQue engine is not installed "
					+ "(or too old) in this database: " + message + "; see pgque.schema.mode", ex);
		}
		return ex;
	}

	// "function send", "table queue", "schema pgque": functions map to the role granted
	// them, anything else (tables, sequences, the schema) only pgque_admin may change
	private static PgquePermissionDeniedException permissionDenied(String operation, String object,
			DataAccessException ex) {
		String role = object.startsWith("function ") || object.startsWith("procedure ")
				? PgqueRoles.forFunction(object.substring(object.indexOf(' ') + 1)) : PgqueRoles.ADMIN;
		return new PgquePermissionDeniedException(operation, object, role, ex);
	}

	private static @Nullable SQLException findSqlException(Throwable ex) {
		for (Throwable candidate = ex; candidate != null; candidate = candidate.getCause()) {
			if (candidate instanceof SQLException sqlException) {
				return sqlException;
			}
		}
		return null;
	}

	private static String serverMessage(SQLException ex) {
		// Drivers prefix the severity and append context lines; keep the error itself
		String message = (ex.getMessage() != null) ? ex.getMessage() : "";
		int newline = message.indexOf('\n');
		if (newline >= 0) {
			message = message.substring(0, newline);
		}
		return message.startsWith("ERROR: ") ? message.substring("ERROR: ".length()) : message;
	}

}
