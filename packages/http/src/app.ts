import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics, Histogram } from 'prom-client';
import { context, contextFromHeaders, SpanKind, SpanStatusCode, trace, tracerFor, type Context, type Span } from '@airline/telemetry';
import { methodsOf } from './methods.js';
import { HttpProblem, problemBody } from './problem.js';
import { findUnacceptableText, headerTitle } from './text-guard.js';

export interface HttpAppOptions {
  service: string;
  /** The service's logger: every 5xx is logged there with its request id and stack (none: not logged). */
  log?: Logger;
  bodyLimit?: number;
  /** Longest path parameter the router matches (Fastify's maxParamLength; longer ones are answered 414). */
  maxParamLength?: number;
  /** Which proxies in front may set X-Forwarded-For (the client IP of rate limits); none by default. */
  trustProxy?: boolean | number | string[];
  /** Readiness checks: each resolves when its dependency answers. */
  readiness?: Record<string, () => Promise<unknown>>;
  /** Collect Node process metrics (once per process). */
  processMetrics?: boolean;
  /** The customer a request acts for, named on its log line (default: a customerId in its path, query or body). */
  customerOf?: (req: FastifyRequest) => number | undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: an app over any server, request, reply and logger types (Fastify's own defaults are narrower)
export type HttpApp = FastifyInstance<any, any, any, any, TypeBoxTypeProvider> & {
  metrics: Registry;
  /**
   * How close() drains: for up to graceMs it still takes connections and answers every request with
   * `Connection: close`, so callers move to another replica between requests instead of finding their
   * connection closed under them (0, the default: close idle connections at once). Set by the runtime.
   */
  drain: { graceMs: number };
  /** The readiness checks of /health/ready; a composition root may add its own (e.g. the broker). */
  readiness: Record<string, () => Promise<unknown>>;
};

/**
 * An X-Request-Id a caller may choose (the gateway's, or a client's at the gateway): 1–128 letters,
 * digits and `-_.:`, so it cannot forge log lines or carry a payload. Anything else gets a fresh id.
 */
export const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id of an incoming request: the caller's X-Request-Id when it is acceptable, else a new one. */
export function requestIdOf(req: Pick<IncomingMessage, 'headers'>): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Probes and scrapes: answered, counted, not logged one by one (they would drown the requests). */
const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

/** A customer id the request names (path, query, then body), for its log line. */
export function customerNamedIn(req: FastifyRequest): number | undefined {
  for (const source of [req.params, req.query, req.body]) {
    const v = source && typeof source === 'object' && !Array.isArray(source) ? (source as Record<string, unknown>).customerId : undefined;
    const n = typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : v;
    if (typeof n === 'number' && Number.isSafeInteger(n)) return n;
  }
  return undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's server span and its context (tracing on only). */
    traceSpan?: { span: Span; ctx: Context };
  }
}

/** Headers read by routes that do not declare them (besides those a route's schema declares). */
const READ_HEADERS = ['idempotency-key', 'last-event-id'];

/**
 * The HTTP app every service starts from: schema-first routes (TypeBox), errors as problem+json,
 * health endpoints, Prometheus metrics.
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const maxParamLength = options.maxParamLength ?? 100;
  const app = Fastify({
    // one line per request, written by the onResponse hook below (not Fastify's two); failures also by the error handler
    ...(options.log ? { loggerInstance: options.log } : { logger: false }),
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    // `/reservations/` names the same resource as `/reservations`
    routerOptions: { maxParamLength, ignoreTrailingSlash: true },
    // Fastify accepts each of these shapes; its overloaded types do not accept their union
    trustProxy: (options.trustProxy ?? false) as boolean,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, allErrors: false } },
    // a request that arrives while the server drains is answered (with Connection: close), not refused
    return503OnClosing: false,
    // the caller's X-Request-Id when acceptable (the gateway passes its own on): one id across services
    genReqId: requestIdOf,
    forceCloseConnections: 'idle',
    // errors the router answers before any route runs (a malformed or over-long path): problem+json too
    frameworkErrors: (err, req, res) => {
      const status = err.statusCode === 414 ? 414 : 400;
      (res as unknown as FastifyReply)
        .status(status)
        .type('application/problem+json')
        .send(
          problemBody({
            status,
            title: status === 414 ? 'URI too long' : 'Invalid request',
            detail: err.message,
            field: 'path',
            instance: req.url,
          }),
        );
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as HttpApp;

  const metrics = new Registry();
  metrics.setDefaultLabels({ service: options.service });
  if (options.processMetrics) collectDefaultMetrics({ register: metrics });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metrics],
  });
  app.decorate('metrics', metrics);
  const readiness: Record<string, () => Promise<unknown>> = { ...options.readiness };
  app.decorate('readiness', readiness);

  // every answer names its request id; while the server drains, every answer closes its connection
  // (the caller's next request opens a new one, which reaches a replica that is not stopping)
  let draining = false;
  const drain = { graceMs: 0 };
  app.decorate('drain', drain);
  app.addHook('preClose', async () => {
    draining = true;
    const until = Date.now() + drain.graceMs;
    while (Date.now() < until && app.server.listening) {
      const open = await new Promise<number>((resolve) =>
        app.server.getConnections((err: Error | null, n: number) => resolve(err ? 0 : n)),
      );
      if (open === 0) break;
      await new Promise((r) => setTimeout(r, Math.min(50, until - Date.now())));
    }
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-request-id', req.id);
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });

  const customerOf = options.customerOf ?? customerNamedIn;
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    duration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    // one line per request; never its body (card numbers must not reach a log)
    if (QUIET_ROUTES.has(route) || !(req.log as unknown as Partial<Logger>).isLevelEnabled?.('info')) return;
    const customerId = customerOf(req);
    req.log.info(
      {
        method: req.method,
        route,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        ...(customerId !== undefined ? { customerId } : {}),
      },
      'request',
    );
  });

  // traces: a SERVER span per request, child of the caller's traceparent; route handlers run in its
  // context, so their outgoing calls and the events they put in the outbox are its children. Off: no hooks.
  const tracer = tracerFor(options.service);
  if (tracer) {
    app.addHook('onRequest', async (req) => {
      const parent = contextFromHeaders(req.headers);
      const span = tracer.startSpan(
        `${req.method} ${req.routeOptions.url ?? 'unmatched'}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            'http.request.method': req.method,
            'url.path': req.url.split('?')[0],
            'http.route': req.routeOptions.url ?? 'unmatched',
            'airline.request_id': req.id,
          },
        },
        parent,
      );
      req.traceSpan = { span, ctx: trace.setSpan(parent, span) };
      req.log = req.log.child({ traceId: span.spanContext().traceId }); // its request line names its trace
    });
    app.addHook('onRoute', (route) => {
      const handler = route.handler;
      route.handler = function traced(this: unknown, req: FastifyRequest, reply: FastifyReply) {
        return req.traceSpan
          ? context.with(req.traceSpan.ctx, () => handler.call(this as never, req, reply))
          : handler.call(this as never, req, reply);
      } as typeof handler;
    });
    app.addHook('onResponse', async (req, reply) => {
      const traced = req.traceSpan;
      if (!traced) return;
      traced.span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) traced.span.setStatus({ code: SpanStatusCode.ERROR });
      traced.span.end();
    });
    app.addHook('onRequestAbort', async (req) => {
      req.traceSpan?.span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client went away' });
      req.traceSpan?.span.end();
    });
  }

  // Control characters, bidirectional overrides and lone surrogates are in no field of this API: refused
  // (400 naming the field) wherever they come, path, query, body or the headers a route reads.
  app.addHook('preValidation', async (req) => {
    const declared = (req.routeOptions.schema?.headers as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
    const headers = Object.fromEntries(
      [...READ_HEADERS, ...Object.keys(declared)].filter((h) => req.headers[h] !== undefined).map((h) => [headerTitle(h), req.headers[h]]),
    );
    for (const [where, values] of [
      ['path', req.params],
      ['querystring', req.query],
      ['header', headers],
      ['body', req.body],
    ] as const) {
      const refused = findUnacceptableText(values);
      if (refused) {
        const field = refused.field || where;
        throw new HttpProblem(400, 'Invalid request', `${where}${refused.field ? `.${refused.field}` : ''} ${refused.reason}`, field);
      }
    }
  });

  // Path and query parameters are strings on the wire, and the seeds' scripts use httpie, which sends
  // `seatQty=3` as "3": Ajv coerces decimal strings to the declared number types. What must not be
  // coerced (true → 1, null → 0, 5 → "5") is refused here, before validation, naming the field.
  app.addHook('preValidation', async (req) => {
    const schema = req.routeOptions.schema?.body as { properties?: Record<string, { type?: unknown }> } | undefined;
    const body = req.body as Record<string, unknown> | null;
    if (!schema?.properties || !body || typeof body !== 'object' || Array.isArray(body)) return;
    for (const [name, prop] of Object.entries(schema.properties)) {
      const v = body[name];
      const declared = prop.type;
      if (declared !== 'integer' && declared !== 'number' && declared !== 'string') continue;
      const wrong = v === null || typeof v === 'boolean' || (declared === 'string' && typeof v === 'number');
      if (wrong)
        throw new HttpProblem(
          400,
          'Invalid request',
          `body.${name} must be ${declared === 'string' ? 'a string' : `an ${declared}`}, not ${JSON.stringify(v)}`,
          name,
        );
    }
  });

  // Ajv's coercion turns "Infinity" (a path or query parameter) into a number that then passes the
  // integer and range checks, and JSON.parse turns 1e400 into Infinity: refused after validation,
  // naming the field, before a handler (or the database) sees it.
  app.addHook('preHandler', async (req) => {
    const nonFinite = (v: unknown, depth = 0): boolean =>
      typeof v === 'number'
        ? !Number.isFinite(v)
        : depth < 4 && !!v && typeof v === 'object' && Object.values(v).some((x) => nonFinite(x, depth + 1));
    // headers a route declares are coerced the same way (Last-Event-ID: Infinity)
    const declared = Object.keys(
      (req.routeOptions.schema?.headers as { properties?: Record<string, unknown> } | undefined)?.properties ?? {},
    );
    const headers = Object.fromEntries(declared.map((h) => [headerTitle(h), req.headers[h]]));
    for (const [where, values] of [
      ['params', req.params],
      ['querystring', req.query],
      ['header', headers],
      ['body', req.body],
    ] as const) {
      if (!values || typeof values !== 'object') continue;
      for (const [name, v] of Object.entries(values)) {
        if (nonFinite(v)) throw new HttpProblem(400, 'Invalid request', `${where}.${name} must be a finite number`, name);
      }
    }
  });

  app.setErrorHandler((err: FastifyError & Partial<HttpProblem>, req, reply) => {
    let body: ReturnType<typeof problemBody>;
    if (err instanceof HttpProblem) {
      if (err.status >= 500) req.log.error({ err, method: req.method, url: req.url }, 'answered with a server error');
      body = problemBody({ status: err.status, title: err.title, detail: err.detail, field: err.field, extra: err.extra });
    } else if (err.validation) {
      const first = err.validation[0];
      const params = (first?.params ?? {}) as Record<string, unknown>;
      const path = [first?.instancePath?.replace(/^\//, '').replace(/\//g, '.'), params.missingProperty ?? params.additionalProperty]
        .filter(Boolean)
        .join('.');
      const where = err.validationContext ?? 'body';
      body = problemBody({
        status: 400,
        title: 'Invalid request',
        detail: `${where}${path ? `.${path}` : ''} ${first?.message ?? 'is invalid'}`,
        field: path || where,
      });
    } else if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
      body = problemBody({ status: 400, title: 'Malformed JSON', detail: 'the request body is not valid JSON' });
    } else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      body = problemBody({
        status: 400,
        title: 'Invalid request',
        detail: 'the request body is empty; a JSON object is expected',
        field: 'body',
      });
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      body = problemBody({
        status: err.statusCode,
        title: err.statusCode === 413 ? 'Payload too large' : 'Bad request',
        detail: err.message,
      });
    } else {
      const status = typeof err.statusCode === 'number' && err.statusCode >= 500 && err.statusCode < 600 ? err.statusCode : 500;
      req.log.error({ err, method: req.method, url: req.url }, 'unhandled error');
      body = problemBody({
        status,
        title: status === 503 ? 'Service unavailable' : 'Internal error',
        detail: 'the server failed to handle this request',
        extra: { requestId: req.id },
      });
    }
    reply
      .status(body.status)
      .type('application/problem+json')
      .send({ ...body, instance: req.url });
  });

  // a path that exists with other methods: 405 and the methods it has (RFC 9110 §15.5.6)
  const routes = methodsOf({ maxParamLength });
  app.addHook('onRoute', (route) => routes.add(route.method, route.url));
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    const allowed = routes.allowed(path);
    // a route of this method that sent the request here (the web UI's fallback for what is not a page) is a 404
    if (allowed.length > 0 && !allowed.includes(req.method)) {
      reply
        .status(405)
        .header('allow', allowed.join(', '))
        .type('application/problem+json')
        .send(
          problemBody({
            status: 405,
            title: 'Method not allowed',
            detail: `${path} does not take ${req.method}; it takes ${allowed.join(', ')}`,
            instance: req.url,
          }),
        );
      return;
    }
    reply
      .status(404)
      .type('application/problem+json')
      .send(problemBody({ status: 404, title: 'Not found', detail: `no route ${req.method} ${req.url.split('?')[0]}`, instance: req.url }));
  });

  app.get('/health/live', async () => ({ status: 'UP', service: options.service }));
  app.get('/health/ready', async (_req, reply) => {
    const checks: Record<string, string> = {};
    // a draining replica leaves the load balancer's rotation
    let ready = !draining;
    if (draining) checks.server = 'DOWN: shutting down';
    for (const [name, check] of Object.entries(readiness)) {
      try {
        await Promise.race([check(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 2000).unref())]);
        checks[name] = 'UP';
      } catch (err) {
        ready = false;
        checks[name] = `DOWN: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    reply.status(ready ? 200 : 503).send({ status: ready ? 'UP' : 'DOWN', service: options.service, checks });
  });
  app.get('/metrics', async (_req, reply) => {
    reply.type(metrics.contentType).send(await metrics.metrics());
  });
  return app;
}
