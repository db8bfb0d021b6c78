package io.pgque.spring.convert;

/**
 * How the type name of a converted object is derived when neither the caller nor a type
 * mapping names it.
 *
 * @author pgque-spring-boot authors
 */
public enum PgqueTypeNaming {

	/**
	 * The simple class name, e.g. {@code OrderPlaced}: short, and easy for consumers in
	 * other languages to match.
	 */
	SIMPLE_NAME,

	/**
	 * The fully qualified class name, e.g. {@code com.example.OrderPlaced}.
	 */
	CLASS_NAME,

	/**
	 * Always {@code default}, the type the engine uses when none is given.
	 */
	DEFAULT

}
