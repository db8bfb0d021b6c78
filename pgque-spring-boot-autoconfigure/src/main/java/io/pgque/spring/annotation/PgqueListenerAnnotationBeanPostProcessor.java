package io.pgque.spring.annotation;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.pgque.spring.config.PgqueListenerEndpoint;
import io.pgque.spring.listener.PgqueOrdering;
import io.pgque.spring.config.PgqueListenerEndpointRegistrar;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanExpressionContext;
import org.springframework.beans.factory.config.BeanExpressionResolver;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.StringUtils;

/**
 * Finds {@link PgqueListener} methods on beans, resolves their placeholders and
 * expressions into {@link PgqueListenerEndpoint}s, and once every singleton exists hands
 * them to a {@link PgqueListenerEndpointRegistrar}, which creates one container per
 * (queue, consumer).
 *
 * @author pgque-spring-boot authors
 */
public class PgqueListenerAnnotationBeanPostProcessor
		implements BeanPostProcessor, SmartInitializingSingleton, BeanFactoryAware, Ordered {

	private final Set<Class<?>> classesWithoutListeners = ConcurrentHashMap.newKeySet();

	private @Nullable BeanFactory beanFactory;

	private @Nullable PgqueListenerEndpointRegistrar registrar;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
		this.registrar = new PgqueListenerEndpointRegistrar(beanFactory);
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		if (this.classesWithoutListeners.contains(targetClass)) {
			return bean;
		}
		Map<Method, PgqueListener> methods = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<PgqueListener>) (method) -> AnnotatedElementUtils
					.findMergedAnnotation(method, PgqueListener.class));
		if (methods.isEmpty()) {
			this.classesWithoutListeners.add(targetClass);
			return bean;
		}
		methods.forEach((method, annotation) -> registrar()
			.registerEndpoint(endpoint(bean, AopUtils.selectInvocableMethod(method, bean.getClass()), annotation)));
		return bean;
	}

	@Override
	public void afterSingletonsInstantiated() {
		registrar().registerContainers();
	}

	private PgqueListenerEndpointRegistrar registrar() {
		if (this.registrar == null) {
			throw new IllegalStateException("No BeanFactory set");
		}
		return this.registrar;
	}

	private PgqueListenerEndpoint endpoint(Object bean, Method method, PgqueListener annotation) {
		String description = method.getDeclaringClass().getName() + "." + method.getName();
		String queue = required(annotation.queue(), "queue", description);
		String consumer = required(annotation.consumer(), "consumer", description);
		Set<String> types = new LinkedHashSet<>();
		Arrays.stream(annotation.types()).map(this::resolve).filter(StringUtils::hasText).forEach(types::add);
		return new PgqueListenerEndpoint(bean, method, queue, consumer, optional(annotation.id()),
				bool(annotation.autoStartup(), "autoStartup", description), types,
				integer(annotation.maxBatchSize(), "maxBatchSize", description),
				integer(annotation.maxAttempts(), "maxAttempts", description),
				duration(annotation.backOff(), "backOff", description),
				duration(annotation.retryDelay(), "retryDelay", description), optional(annotation.containerFactory()),
				optional(annotation.errorHandler()), integer(annotation.concurrency(), "concurrency", description),
				ordering(annotation.ordering(), description), keySlots(annotation.keySlots(), description));
	}

	private @Nullable PgqueOrdering ordering(String value, String description) {
		String resolved = optional(value);
		if (resolved == null) {
			return null;
		}
		for (PgqueOrdering ordering : PgqueOrdering.values()) {
			if (ordering.name().equalsIgnoreCase(resolved.trim())) {
				return ordering;
			}
		}
		throw invalid("ordering", description, resolved, "NONE or KEY");
	}

	private @Nullable Integer keySlots(String value, String description) {
		Integer slots = integer(value, "keySlots", description);
		if (slots != null && slots > 1024) {
			throw invalid("keySlots", description, slots.toString(), "a number from 1 to 1024");
		}
		return slots;
	}

	private String required(String value, String attribute, String description) {
		String resolved = resolve(value);
		if (!StringUtils.hasText(resolved)) {
			throw new IllegalStateException("@PgqueListener on " + description + " needs a non-empty '" + attribute
					+ "' (got '" + value + "')");
		}
		return resolved;
	}

	private @Nullable String optional(String value) {
		String resolved = resolve(value);
		return StringUtils.hasText(resolved) ? resolved : null;
	}

	private @Nullable Boolean bool(String value, String attribute, String description) {
		String resolved = optional(value);
		if (resolved == null) {
			return null;
		}
		if (!resolved.equalsIgnoreCase("true") && !resolved.equalsIgnoreCase("false")) {
			throw invalid(attribute, description, resolved, "true or false");
		}
		return Boolean.valueOf(resolved);
	}

	private @Nullable Integer integer(String value, String attribute, String description) {
		String resolved = optional(value);
		if (resolved == null) {
			return null;
		}
		try {
			int number = Integer.parseInt(resolved.trim());
			if (number < 1) {
				throw invalid(attribute, description, resolved, "a number of at least 1");
			}
			return number;
		}
		catch (NumberFormatException ex) {
			throw invalid(attribute, description, resolved, "a number");
		}
	}

	private @Nullable Duration duration(String value, String attribute, String description) {
		String resolved = optional(value);
		if (resolved == null) {
			return null;
		}
		try {
			return DurationStyle.detectAndParse(resolved.trim());
		}
		catch (IllegalArgumentException ex) {
			throw invalid(attribute, description, resolved, "a duration such as 500ms or 30s");
		}
	}

	private static IllegalStateException invalid(String attribute, String description, String value, String expected) {
		return new IllegalStateException("@PgqueListener on " + description + ": '" + attribute + "' must be "
				+ expected + " but was '" + value + "'");
	}

	private String resolve(String value) {
		if (this.beanFactory instanceof ConfigurableBeanFactory configurable) {
			String resolved = configurable.resolveEmbeddedValue(value);
			BeanExpressionResolver expressions = configurable.getBeanExpressionResolver();
			if (resolved != null && expressions != null) {
				Object evaluated = expressions.evaluate(resolved, new BeanExpressionContext(configurable, null));
				return (evaluated != null) ? evaluated.toString() : "";
			}
			return (resolved != null) ? resolved : "";
		}
		return value;
	}

}
