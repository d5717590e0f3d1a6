// Calls from the gateway to the services behind it. A service that is down answers 503 at once
// (refused, or no connection within the connect timeout); one that does not answer in time, 504.
//
// Rolling restarts: a request that may be sent twice (GET, HEAD, a POST with an Idempotency-Key) is
// sent once more, on a new connection, when its connection was refused or reset, or when a draining
// replica answered 503 with `Connection: close`. The new connection reaches a replica still serving.
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { HttpProblem } from '@airline/http';
import { clientSpan, tracerFor } from '@airline/telemetry';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

export interface UpstreamRequest {
  method: string;
  /** Path and query. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** A stream (SSE): no time limit on the body once the headers arrived. */
  stream?: boolean;
  signal?: AbortSignal;
}

export interface Upstreams {
  has(service: string): boolean;
  services(): string[];
  request(service: string, req: UpstreamRequest): Promise<UpstreamResponse>;
  /** A JSON read, for checks the gateway makes itself (ownership). */
  json<T>(service: string, path: string, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** Failures after which the request certainly or possibly did not reach a replica that will answer it. */
const RETRYABLE_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** Whether sending this request twice is harmless: a read, or a POST the service deduplicates by its key. */
export function mayRetry(req: Pick<UpstreamRequest, 'method' | 'headers'>): boolean {
  return req.method === 'GET' || req.method === 'HEAD' || (req.method === 'POST' && Boolean(req.headers?.['idempotency-key']));
}

/** A 503 a replica gives while it stops (it closes the connection): another replica will answer. */
const drainingAnswer = (status: number, headers: UpstreamResponse['headers']) =>
  status === 503 && String(headers.connection ?? '').toLowerCase() === 'close';

const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** The problem a failed call becomes; undefined when the failure is not the upstream's (client went away). */
export function upstreamProblem(service: string, err: unknown): HttpProblem {
  const code = (err as { code?: string }).code ?? '';
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return new HttpProblem(504, 'Upstream timeout', `the ${service} service did not answer in time`, undefined, { service });
  }
  if (CONNECTION_ERRORS.has(code) || err instanceof undiciErrors.ConnectTimeoutError || err instanceof undiciErrors.SocketError) {
    return new HttpProblem(503, 'Service unavailable', `the ${service} service is not reachable; try again shortly`, undefined, {
      service,
    });
  }
  return new HttpProblem(502, 'Bad gateway', `the call to the ${service} service failed`, undefined, { service });
}

export interface UpstreamOptions {
  connectTimeoutMs: number;
  timeoutMs: number;
  /** Told of each retry (logs, metrics). */
  onRetry?: (service: string, req: UpstreamRequest, why: string) => void;
}

export function createUpstreams(urls: Record<string, string>, options: UpstreamOptions): Upstreams {
  const agent = new Agent({
    connect: { timeout: options.connectTimeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 10_000,
  });
  // retries go on a connection of their own, opened for the retry (never one kept from before)
  const fresh = new Agent({
    connect: { timeout: options.connectTimeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    pipelining: 0,
  });
  const tracer = tracerFor('gateway'); // undefined while tracing is off
  const origin = (service: string) => {
    const url = urls[service];
    if (!url) throw new HttpProblem(503, 'Service unavailable', `the ${service} service is not deployed`, undefined, { service });
    return url;
  };

  async function send(
    dispatcher: Agent,
    service: string,
    req: UpstreamRequest,
    traceHeaders: Record<string, string>,
  ): Promise<UpstreamResponse> {
    const res = await dispatcher.request({
      origin: origin(service),
      method: req.method as Dispatcher.HttpMethod,
      path: req.path,
      headers: { ...req.headers, ...traceHeaders },
      body: req.body,
      signal: req.signal,
      ...(req.stream ? { bodyTimeout: 0 } : {}),
    });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  async function request(service: string, req: UpstreamRequest): Promise<UpstreamResponse> {
    const attributes = { 'http.request.method': req.method, 'server.address': service, 'url.path': req.path.split('?')[0] };
    return clientSpan(tracer, `${req.method} ${service}`, attributes, async (traceHeaders, span) => {
      try {
        let res: UpstreamResponse;
        try {
          res = await send(agent, service, req, traceHeaders);
        } catch (err) {
          const code = (err as { code?: string }).code ?? '';
          if (!mayRetry(req) || req.signal?.aborted || !RETRYABLE_ERRORS.has(code)) throw err;
          options.onRetry?.(service, req, code);
          res = await send(fresh, service, req, traceHeaders);
        }
        if (drainingAnswer(res.status, res.headers) && mayRetry(req) && !req.signal?.aborted) {
          await res.body.dump();
          options.onRetry?.(service, req, '503 draining');
          res = await send(fresh, service, req, traceHeaders);
        }
        span?.setAttribute('http.response.status_code', res.status);
        return res;
      } catch (err) {
        if (err instanceof HttpProblem) throw err;
        throw upstreamProblem(service, err);
      }
    });
  }

  return {
    has: (service) => service in urls,
    services: () => Object.keys(urls),
    request,
    async json<T>(service: string, path: string, headers: Record<string, string> = {}) {
      const res = await request(service, { method: 'GET', path, headers: { accept: 'application/json', ...headers } });
      try {
        const text = await res.body.text();
        return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
      } catch (err) {
        throw err instanceof SyntaxError
          ? new HttpProblem(502, 'Bad gateway', `the ${service} service answered something that is not JSON`)
          : upstreamProblem(service, err);
      }
    },
    close: async () => {
      await Promise.all([agent.close(), fresh.close()]);
    },
  };
}
