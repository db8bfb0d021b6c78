package io.pgque.spring.test;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.pgque.spring.annotation.PgqueListener;
import org.aopalliance.intercept.MethodInterceptor;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.Ordered;
import org.springframework.core.PriorityOrdered;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Counts the events each {@code @PgqueListener} consumer has handled: wraps every bean
 * with listener methods in a proxy that counts the calls that return normally, keyed by
 * the annotation's {@code consumer}. Runs before the listener post-processor, which then
 * registers the proxy's methods, so the count sees exactly what the containers invoke.
 */
class PgqueHandledEvents implements BeanPostProcessor, PriorityOrdered {

	private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		Map<Method, PgqueListener> listeners = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<PgqueListener>) (method) -> AnnotatedElementUtils
					.findMergedAnnotation(method, PgqueListener.class));
		if (listeners.isEmpty()) {
			return bean;
		}
		ProxyFactory proxy = new ProxyFactory(bean);
		proxy.setProxyTargetClass(true);
		proxy.addAdvice((MethodInterceptor) (invocation) -> {
			Object result = invocation.proceed();
			PgqueListener listener = listener(listeners, invocation.getMethod());
			if (listener != null) {
				counter(listener.consumer()).incrementAndGet();
			}
			return result;
		});
		return proxy.getProxy(targetClass.getClassLoader());
	}

	private static @Nullable PgqueListener listener(Map<Method, PgqueListener> listeners, Method method) {
		for (Map.Entry<Method, PgqueListener> entry : listeners.entrySet()) {
			Method candidate = entry.getKey();
			if (candidate.getName().equals(method.getName())
					&& java.util.Arrays.equals(candidate.getParameterTypes(), method.getParameterTypes())) {
				return entry.getValue();
			}
		}
		return null;
	}

	private AtomicLong counter(String consumer) {
		return this.counts.computeIfAbsent(consumer, (name) -> new AtomicLong());
	}

	long handled(String consumer) {
		return counter(consumer).get();
	}

	void reset() {
		this.counts.values().forEach((count) -> count.set(0));
	}

}
