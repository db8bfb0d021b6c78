package io.pgque.spring.core;

import io.pgque.spring.PgqueException;

/**
 * Thrown when the database user lacks the engine role a call needs: the engine grants its
 * functions to {@code pgque_reader} (receive, ack, info), {@code pgque_writer} (send,
 * replay) and {@code pgque_admin} (everything else).
 *
 * @author pgque-spring-boot authors
 */
public class PgquePermissionDeniedException extends PgqueException {

	private final String requiredRole;

	private final String object;

	public PgquePermissionDeniedException(String operation, String object, String requiredRole, Throwable cause) {
		super("PgQue " + operation + " failed: permission denied for " + object + "; grant " + requiredRole
				+ " to the database user (GRANT " + requiredRole + " TO <user>)", cause);
		this.requiredRole = requiredRole;
		this.object = object;
	}

	/**
	 * The engine role that grants what was denied.
	 * @return {@code pgque_reader}, {@code pgque_writer} or {@code pgque_admin}
	 */
	public String getRequiredRole() {
		return this.requiredRole;
	}

	/**
	 * What the database denied, as it named it, e.g. {@code function send}.
	 * @return the object
	 */
	public String getObject() {
		return this.object;
	}

}
