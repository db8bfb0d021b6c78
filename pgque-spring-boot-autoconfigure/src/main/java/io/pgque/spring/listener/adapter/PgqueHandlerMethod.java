package io.pgque.spring.listener.adapter;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import io.pgque.spring.convert.PgquePayloadConverter;
import io.pgque.spring.core.PgqueAcknowledgement;
import io.pgque.spring.listener.error.PgqueErrorHandler;
import io.pgque.spring.listener.error.PgqueRetrySettings;
import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * One listener method, ready to be invoked with a {@link PgqueInvocation}.
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueHandlerMethod {

	private final Object bean;

	private final Method method;

	private final String description;

	private final Set<String> types;

	private final boolean batch;

	private final boolean manualAcknowledgement;

	private final @Nullable PgqueRetrySettings retry;

	private final @Nullable PgqueErrorHandler errorHandler;

	private final List<Function<PgqueInvocation, @Nullable Object>> resolvers;

	/**
	 * Create a handler.
	 * @param bean the bean to invoke the method on
	 * @param method the method, invocable on {@code bean}
	 * @param types the event types it handles, empty for every unclaimed type
	 * @param retry its retry settings, {@code null} for the container's
	 * @param errorHandler its error handler, {@code null} for the container's
	 * @param converter the payload converter
	 */
	public PgqueHandlerMethod(Object bean, Method method, Set<String> types, @Nullable PgqueRetrySettings retry,
			@Nullable PgqueErrorHandler errorHandler, PgquePayloadConverter converter) {
		this.bean = bean;
		this.method = method;
		this.description = describe(method);
		this.types = Set.copyOf(types);
		this.batch = PgqueArgumentResolvers.isBatch(method);
		this.manualAcknowledgement = Arrays.asList(method.getParameterTypes()).contains(PgqueAcknowledgement.class);
		this.retry = retry;
		this.errorHandler = errorHandler;
		this.resolvers = PgqueArgumentResolvers.resolvers(method, this.batch, converter, this.description);
		ReflectionUtils.makeAccessible(method);
	}

	/**
	 * A readable name of a method: {@code fully.qualified.Class.method(ParamType, ...)}.
	 * @param method the method
	 * @return the name
	 */
	public static String describe(Method method) {
		StringBuilder sb = new StringBuilder(ClassUtils.getUserClass(method.getDeclaringClass()).getName());
		sb.append('.').append(method.getName()).append('(');
		Class<?>[] parameterTypes = method.getParameterTypes();
		for (int i = 0; i < parameterTypes.length; i++) {
			sb.append((i > 0) ? ", " : "").append(parameterTypes[i].getSimpleName());
		}
		return sb.append(')').toString();
	}

	/**
	 * Invoke the method.
	 * @param invocation what to pass
	 * @throws Exception whatever the method throws, unwrapped
	 */
	public void invoke(PgqueInvocation invocation) throws Exception {
		@Nullable Object[] args = new Object[this.resolvers.size()];
		for (int i = 0; i < args.length; i++) {
			args[i] = this.resolvers.get(i).apply(invocation);
		}
		try {
			this.method.invoke(this.bean, args);
		}
		catch (InvocationTargetException ex) {
			Throwable cause = ex.getTargetException();
			if (cause instanceof Exception exception) {
				throw exception;
			}
			if (cause instanceof Error error) {
				throw error;
			}
			throw ex;
		}
	}

	/**
	 * The class of the method's payload parameter when it is an application type, from
	 * which the event type it handles can be derived.
	 * @param method the method
	 * @return the class, or {@code null} for String, byte[], PgqueMessage, lists and the
	 * like
	 */
	public static @Nullable Class<?> applicationPayloadType(Method method) {
		return PgqueArgumentResolvers.applicationPayloadType(method);
	}

	public String description() {
		return this.description;
	}

	/**
	 * The event types this method handles; empty means every type no other method claims.
	 * @return the types
	 */
	public Set<String> types() {
		return this.types;
	}

	/**
	 * Whether the method takes a list of messages or payloads.
	 * @return whether it is a batch listener
	 */
	public boolean isBatch() {
		return this.batch;
	}

	/**
	 * Whether the method takes a {@link PgqueAcknowledgement} and so acks batches itself.
	 * @return whether it acknowledges manually
	 */
	public boolean isManualAcknowledgement() {
		return this.manualAcknowledgement;
	}

	public @Nullable PgqueRetrySettings retry() {
		return this.retry;
	}

	public @Nullable PgqueErrorHandler errorHandler() {
		return this.errorHandler;
	}

	@Override
	public String toString() {
		return this.description;
	}

}
