package io.pgque.spring.convert;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps Java classes to event type names and back: an explicit mapping table first, then
 * the {@link PgqueTypeNaming} strategy. Generic containers (strings, bytes, maps,
 * collections, JSON trees) carry no meaningful class, so they get {@value #DEFAULT_TYPE}.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueTypeMapper {

	/**
	 * The type the engine gives an event sent without one.
	 */
	public static final String DEFAULT_TYPE = "default";

	private final PgqueTypeNaming naming;

	private final Map<Class<?>, String> typesByClass = new LinkedHashMap<>();

	// Worked out once per class: a batch asks for the name of every payload
	private final ClassValue<String> typeNames = new ClassValue<>() {

		@Override
		protected String computeValue(Class<?> type) {
			return nameOf(type);
		}

	};

	/**
	 * Create a mapper.
	 * @param naming the strategy for classes not in the table
	 * @param mappings type name to class; a class may appear once only (names are checked
	 * where they are configured and again when sent)
	 */
	public PgqueTypeMapper(PgqueTypeNaming naming, Map<String, Class<?>> mappings) {
		this.naming = naming;
		mappings.forEach((type, javaType) -> {
			String previous = this.typesByClass.putIfAbsent(javaType, type);
			if (previous != null) {
				throw new IllegalArgumentException("Class " + javaType.getName() + " is mapped to two PgQue types, '"
						+ previous + "' and '" + type + "'; map it once");
			}
		});
	}

	/**
	 * A mapper that names classes by {@link PgqueTypeNaming#SIMPLE_NAME} and has no
	 * table.
	 * @return the mapper
	 */
	public static PgqueTypeMapper simpleNames() {
		return new PgqueTypeMapper(PgqueTypeNaming.SIMPLE_NAME, Map.of());
	}

	/**
	 * The type name objects of a class are sent with.
	 * @param type the class
	 * @return the type name
	 */
	public String typeName(Class<?> type) {
		return this.typeNames.get(type);
	}

	private String nameOf(Class<?> type) {
		String mapped = this.typesByClass.get(type);
		if (mapped != null) {
			return mapped;
		}
		if (isGeneric(type)) {
			return DEFAULT_TYPE;
		}
		return switch (this.naming) {
			case SIMPLE_NAME -> simpleName(type);
			case CLASS_NAME -> type.getName();
			case DEFAULT -> DEFAULT_TYPE;
		};
	}

	private static boolean isGeneric(Class<?> type) {
		return CharSequence.class.isAssignableFrom(type) || type == byte[].class || Map.class.isAssignableFrom(type)
				|| Collection.class.isAssignableFrom(type) || type.isArray()
				|| type.getName().startsWith("tools.jackson.databind.node.")
				|| type.getName().equals("tools.jackson.databind.JsonNode");
	}

	private static String simpleName(Class<?> type) {
		// Nested and anonymous classes: keep the enclosing name so the type is never
		// blank
		String simple = type.getSimpleName();
		return simple.isEmpty() ? type.getName().substring(type.getName().lastIndexOf('.') + 1) : simple;
	}

}
