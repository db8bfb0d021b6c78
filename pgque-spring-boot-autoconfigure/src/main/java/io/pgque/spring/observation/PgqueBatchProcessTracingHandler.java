package io.pgque.spring.observation;

import java.util.Map;

import io.micrometer.tracing.Link;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingObservationHandler;

/**
 * Makes a {@code pgque.process.batch} observation a span with a link to the
 * {@code pgque.process} span of every message of the call. The Observation API cannot
 * express links, so this handler builds the span itself; it must come before Micrometer's
 * default tracing handler (the auto-configuration orders it so).
 * <p>
 * Each message's span is a child of its sender's span, in the sender's trace; the batch
 * span starts a trace of its own (or continues an observation in scope) and is the one in
 * scope while the listener runs, so the listener's own spans are its children. With
 * OpenTelemetry the links are span links; with Brave, which has none, the bridge records
 * them as tags {@code links[n].traceId} and {@code links[n].spanId}.
 *
 * @author pgque-spring-boot authors
 */
public class PgqueBatchProcessTracingHandler implements TracingObservationHandler<PgqueBatchProcessContext> {

	private final Tracer tracer;

	/**
	 * Create the handler.
	 * @param tracer the tracer
	 */
	public PgqueBatchProcessTracingHandler(Tracer tracer) {
		this.tracer = tracer;
	}

	@Override
	public void onStart(PgqueBatchProcessContext context) {
		Span.Builder builder = this.tracer.spanBuilder().name(getSpanName(context)).kind(Span.Kind.CONSUMER);
		Span parent = getParentSpan(context);
		if (parent != null) {
			builder.setParent(parent.context());
		}
		else {
			// not whatever happens to be current on the worker thread
			builder.setNoParent();
		}
		for (PgqueProcessContext message : context.getMessages()) {
			TracingContext tracing = message.get(TracingContext.class);
			Span span = (tracing != null) ? tracing.getSpan() : null;
			if (span != null) {
				builder.addLink(new Link(span, Map.of("pgque.event.id", Long.toString(message.getMessage().id()))));
			}
		}
		getTracingContext(context).setSpan(builder.start());
	}

	@Override
	public void onStop(PgqueBatchProcessContext context) {
		Span span = getRequiredSpan(context);
		tagSpan(context, span);
		span.name(getSpanName(context));
		endSpan(context, span);
	}

	@Override
	public boolean supportsContext(io.micrometer.observation.Observation.Context context) {
		return context instanceof PgqueBatchProcessContext;
	}

	@Override
	public Tracer getTracer() {
		return this.tracer;
	}

}
