package io.pgque.spring.listener.adapter;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.pgque.spring.core.PgqueHeader;
import io.pgque.spring.convert.PgquePayloadConverter;
import io.pgque.spring.core.PgqueMessage;
import io.pgque.spring.core.PgqueAcknowledgement;
import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;

/**
 * Builds, once per listener method, a function per parameter that produces its argument
 * from a {@link PgqueInvocation}; bad signatures fail at start-up naming the method.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueArgumentResolvers {

	private PgqueArgumentResolvers() {
	}

	/**
	 * Whether a method is a batch listener: it has a non-annotated {@code List}
	 * parameter.
	 * @param method the method
	 * @return whether it takes a list of messages or payloads
	 */
	static boolean isBatch(Method method) {
		for (int i = 0; i < method.getParameterCount(); i++) {
			MethodParameter parameter = new MethodParameter(method, i);
			if (!parameter.hasParameterAnnotation(PgqueHeader.class) && List.class == parameter.getParameterType()) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The class of a single-message listener's payload parameter when it is an
	 * application type (not String, byte[], Object, PgqueMessage or a List).
	 * @param method the method
	 * @return the class, or {@code null}
	 */
	static @Nullable Class<?> applicationPayloadType(Method method) {
		for (int i = 0; i < method.getParameterCount(); i++) {
			MethodParameter parameter = new MethodParameter(method, i);
			Class<?> type = parameter.getParameterType();
			if (parameter.hasParameterAnnotation(PgqueHeader.class) || type == PgqueAcknowledgement.class
					|| type == PgqueMessage.class) {
				continue;
			}
			boolean plain = type == String.class || type == byte[].class || type == Object.class
					|| List.class.isAssignableFrom(type) || type.isPrimitive();
			return plain ? null : type;
		}
		return null;
	}

	static List<Function<PgqueInvocation, @Nullable Object>> resolvers(Method method, boolean batch,
			PgquePayloadConverter converter, String description) {
		List<Function<PgqueInvocation, @Nullable Object>> resolvers = new ArrayList<>();
		boolean payloadSeen = false;
		for (int i = 0; i < method.getParameterCount(); i++) {
			MethodParameter parameter = new MethodParameter(method, i);
			Class<?> type = parameter.getParameterType();
			PgqueHeader header = parameter.getParameterAnnotation(PgqueHeader.class);
			if (header != null) {
				resolvers.add(header(header.value(), type, batch, description, i));
			}
			else if (type == PgqueAcknowledgement.class) {
				resolvers.add(PgqueInvocation::acknowledgement);
			}
			else if (!batch && type == PgqueMessage.class) {
				resolvers.add(PgqueInvocation::message);
			}
			else {
				if (payloadSeen) {
					throw new IllegalStateException(description + " has more than one payload parameter (parameter " + i
							+ " of type " + type.getName() + "); annotate metadata with @PgqueHeader");
				}
				payloadSeen = true;
				resolvers.add(batch ? list(parameter, converter, description)
						: payload(ResolvableType.forMethodParameter(parameter), converter, description));
			}
		}
		return resolvers;
	}

	private static Function<PgqueInvocation, @Nullable Object> list(MethodParameter parameter,
			PgquePayloadConverter converter, String description) {
		if (parameter.getParameterType() != List.class) {
			throw new IllegalStateException(description + " is a batch listener, so its payload parameter must be a"
					+ " List of payloads or of PgqueMessage, not " + parameter.getParameterType().getName());
		}
		ResolvableType element = ResolvableType.forMethodParameter(parameter).asCollection().getGeneric(0);
		if (element.resolve() == PgqueMessage.class) {
			return PgqueInvocation::messages;
		}
		Function<PgqueMessage, @Nullable Object> convert = converter(element, converter, description);
		return (invocation) -> {
			List<@Nullable Object> payloads = new ArrayList<>(invocation.messages().size());
			for (PgqueMessage message : invocation.messages()) {
				payloads.add(convert.apply(message));
			}
			return payloads;
		};
	}

	private static Function<PgqueInvocation, @Nullable Object> payload(ResolvableType type,
			PgquePayloadConverter converter, String description) {
		Function<PgqueMessage, @Nullable Object> convert = converter(type, converter, description);
		return (invocation) -> convert.apply(invocation.message());
	}

	private static Function<PgqueMessage, @Nullable Object> converter(ResolvableType type,
			PgquePayloadConverter converter, String description) {
		Class<?> raw = type.resolve(Object.class);
		if (raw == String.class) {
			return PgqueMessage::payload;
		}
		if (raw == byte[].class) {
			return (message) -> (message.payload() != null) ? message.payload().getBytes(StandardCharsets.UTF_8) : null;
		}
		return (message) -> {
			try {
				return converter.fromPayload(message.payload(), message.type(), type.getType());
			}
			catch (RuntimeException ex) {
				throw new PgqueArgumentConversionException(
						"Cannot convert payload of event " + message.id() + " (type '" + message.type() + "') to "
								+ type + " for " + description + ": " + ex.getMessage(),
						ex);
			}
		};
	}

	private static Function<PgqueInvocation, @Nullable Object> header(PgqueHeader.Name name, Class<?> type,
			boolean batch, String description, int index) {
		if (batch && name != PgqueHeader.Name.BATCH_ID && name != PgqueHeader.Name.QUEUE
				&& name != PgqueHeader.Name.CONSUMER) {
			throw new IllegalStateException(description + " is a batch listener; @PgqueHeader(" + name
					+ ") on parameter " + index + " is per message: take List<PgqueMessage> instead");
		}
		Function<PgqueInvocation, @Nullable Object> resolver = switch (name) {
			case ID -> (inv) -> inv.message().id();
			case TYPE -> (inv) -> inv.message().type();
			case RETRY_COUNT ->
				(type == int.class) ? (inv) -> inv.message().attempt() : (inv) -> inv.message().retryCount();
			case CREATED_AT -> (type == Instant.class) ? (inv) -> inv.message().createdAt().toInstant()
					: (inv) -> inv.message().createdAt();
			case BATCH_ID -> (inv) -> inv.message().batchId();
			case QUEUE -> PgqueInvocation::queue;
			case CONSUMER -> PgqueInvocation::consumer;
			case EXTRA1 -> (inv) -> inv.message().extra1();
			case EXTRA2 -> (inv) -> inv.message().extra2();
			case EXTRA3 -> (inv) -> inv.message().extra3();
			case EXTRA4 -> (inv) -> inv.message().extra4();
		};
		checkHeaderType(name, type, description, index);
		return resolver;
	}

	private static void checkHeaderType(PgqueHeader.Name name, Class<?> type, String description, int index) {
		boolean ok = switch (name) {
			case ID, BATCH_ID -> type == long.class || type == Long.class;
			case RETRY_COUNT -> type == int.class || type == Integer.class;
			case CREATED_AT -> type == OffsetDateTime.class || type == Instant.class;
			default -> type == String.class;
		};
		if (!ok) {
			throw new IllegalStateException(description + ": parameter " + index + " of type " + type.getName()
					+ " cannot take @PgqueHeader(" + name + ")");
		}
	}

}
