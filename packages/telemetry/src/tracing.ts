// Traces with OpenTelemetry. Off unless a process starts it: OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT
// (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, or a test's exporter. Off, no SDK is loaded into use:
// `tracerFor` answers undefined, and the HTTP app, the consumers and the outbox add nothing (one boolean
// test), so tracing off costs nothing measurable (docs/benchmarks.md).
//
// Each service gets its own tracer provider, named by `service.name`, sharing one span processor: in the
// embedded runtime (every service in one process) a trace still shows which service did what.
//
// Trace context crosses HTTP as the W3C `traceparent` header and events as the envelope's `traceparent`
// field (stamped when an event is put in the outbox, the parent of the span that handles it).
// The SDK's modules are loaded by startTracing only: a process that does not trace never loads them.
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';

export { SpanKind, SpanStatusCode, context, trace, type Span, type Tracer, type Context };

interface TracingState {
  processor: SpanProcessor;
  providers: Map<string, TracerProvider>;
  providerFor(service: string): TracerProvider;
}

let state: TracingState | undefined;

export interface TracingOptions {
  /** Where spans go (a test's InMemorySpanExporter: each span is handed over when it ends). */
  exporter?: SpanExporter;
  env?: Record<string, string | undefined>;
}

/** Whether this environment asks for traces: an OTLP endpoint is set and the SDK is not disabled. */
export function tracingRequested(env: Record<string, string | undefined> = process.env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Starts tracing for this process when an exporter is given or the environment asks for OTLP; otherwise
 * does nothing and answers false. Call it before the services are built (they look once, when built).
 */
export async function startTracing(options: TracingOptions = {}): Promise<boolean> {
  if (state) return true;
  if (!options.exporter && !tracingRequested(options.env)) return false;
  const [{ AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { resourceFromAttributes }, sdk] = await Promise.all([
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
  let processor: SpanProcessor;
  if (options.exporter) processor = new sdk.SimpleSpanProcessor(options.exporter);
  else {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    processor = new sdk.BatchSpanProcessor(new OTLPTraceExporter()); // its endpoint, headers and timeout from OTEL_EXPORTER_OTLP_*
  }
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  state = {
    processor,
    providers: new Map(),
    providerFor: (service) =>
      new sdk.BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': service, 'service.namespace': 'airline' }),
        spanProcessors: [processor],
      }),
  };
  return true;
}

/** Sends what is buffered and stops tracing (shutdown; tests between systems). */
export async function stopTracing(): Promise<void> {
  const s = state;
  if (!s) return;
  state = undefined;
  await s.processor.forceFlush();
  await s.processor.shutdown();
  context.disable();
  propagation.disable();
  trace.disable();
}

export const tracingOn = (): boolean => state !== undefined;

/** The tracer of one service; undefined when tracing is off (callers then add nothing). */
export function tracerFor(service: string): Tracer | undefined {
  if (!state) return undefined;
  let provider = state.providers.get(service);
  if (!provider) {
    provider = state.providerFor(service);
    state.providers.set(service, provider);
  }
  return provider.getTracer('airline');
}

/** The W3C traceparent of the active span; undefined when tracing is off or no span is active. */
export function currentTraceparent(): string | undefined {
  if (!state) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The context whose remote parent is the given traceparent (the root context when there is none). */
export function contextFromTraceparent(traceparent: string | undefined | null): Context {
  if (!state || !traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** The context carried by incoming HTTP headers. */
export function contextFromHeaders(headers: Record<string, string | string[] | undefined>): Context {
  if (!state) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** Adds the active trace context to outgoing headers (nothing when tracing is off). */
export function injectTraceContext(headers: Record<string, string>, ctx: Context = context.active()): Record<string, string> {
  if (state) propagation.inject(ctx, headers);
  return headers;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace id in a traceparent (null for none or a malformed one). Pure. */
export function traceIdOf(traceparent: string | undefined | null): string | null {
  const m = traceparent ? TRACEPARENT.exec(traceparent) : null;
  return m ? m[1]! : null;
}

/**
 * Runs an outgoing call in a CLIENT span whose context travels in the headers it is given; the span
 * ends when the call does, failed if it throws. Without a tracer: just the call, with no headers added.
 */
export async function clientSpan<T>(
  tracer: Tracer | undefined,
  name: string,
  attributes: Attributes,
  call: (headers: Record<string, string>, span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!tracer) return call({}, undefined);
  // inside the span, the headers carry it as the parent of the server's
  return inSpan(tracer, name, { kind: SpanKind.CLIENT, attributes }, (span) => call(injectTraceContext({}), span));
}

/** Runs fn in a span (INTERNAL unless told) under the given parent context; without a tracer, just fn. */
export async function inSpan<T>(
  tracer: Tracer | undefined,
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!tracer) return fn(undefined);
  return tracer.startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}
