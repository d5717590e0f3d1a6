// Calls from the gateway to the services behind it. A service that is down answers 503 at once
// (refused, or no connection within the connect timeout); one that does not answer in time, 504.
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { HttpProblem } from '@airline/http';

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

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED']);

/** The problem a failed call becomes; undefined when the failure is not the upstream's (client went away). */
export function upstreamProblem(service: string, err: unknown): HttpProblem {
  const code = (err as { code?: string }).code ?? '';
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return new HttpProblem(504, 'Upstream timeout', `the ${service} service did not answer in time`, undefined, { service });
  }
  if (CONNECTION_ERRORS.has(code) || err instanceof undiciErrors.ConnectTimeoutError || err instanceof undiciErrors.SocketError) {
    return new HttpProblem(503, 'Service unavailable', `the ${service} service is not reachable; try again shortly`, undefined, { service });
  }
  return new HttpProblem(502, 'Bad gateway', `the call to the ${service} service failed`, undefined, { service });
}

export function createUpstreams(urls: Record<string, string>, options: { connectTimeoutMs: number; timeoutMs: number }): Upstreams {
  const agent = new Agent({
    connect: { timeout: options.connectTimeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 10_000,
  });
  const origin = (service: string) => {
    const url = urls[service];
    if (!url) throw new HttpProblem(503, 'Service unavailable', `the ${service} service is not deployed`, undefined, { service });
    return url;
  };

  async function request(service: string, req: UpstreamRequest): Promise<UpstreamResponse> {
    try {
      const res = await agent.request({
        origin: origin(service),
        method: req.method as Dispatcher.HttpMethod,
        path: req.path,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
        ...(req.stream ? { bodyTimeout: 0 } : {}),
      });
      return { status: res.statusCode, headers: res.headers, body: res.body };
    } catch (err) {
      if (err instanceof HttpProblem) throw err;
      throw upstreamProblem(service, err);
    }
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
        throw err instanceof SyntaxError ? new HttpProblem(502, 'Bad gateway', `the ${service} service answered something that is not JSON`) : upstreamProblem(service, err);
      }
    },
    close: () => agent.close(),
  };
}
