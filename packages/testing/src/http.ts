// HTTP clients and polling for specs and benchmarks: nothing here imports vitest, so scripts run outside
// it (bench/) can use them through `@airline/testing/plain`.

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A small JSON HTTP client for tests against a running system. */
export function http(base: string, defaults: Record<string, string> = {}) {
  async function call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<JsonResponse<T>> {
    const res = await fetch(base + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...defaults, ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }
  return {
    get: <T = any>(path: string, headers?: Record<string, string>) => call<T>('GET', path, undefined, headers),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('POST', path, body ?? {}, headers),
    put: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('PUT', path, body ?? {}, headers),
    delete: <T = any>(path: string, headers?: Record<string, string>) => call<T>('DELETE', path, undefined, headers),
    call,
  };
}

/** Polls until `probe` returns a value that passes `done`, or fails with the last value seen. */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 30_000, everyMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, everyMs));
    last = await probe();
  }
  return last;
}

/** Which service owns a path's first segment: the internal ports, as the seeds' scripts use them. */
const OWNER: Record<string, string> = {
  flights: 'flight',
  reservations: 'reservation',
  payments: 'payment',
  mileages: 'mileage',
  notifications: 'notification',
  customerInfos: 'dashboard',
  flightBoard: 'dashboard',
  reservationHistory: 'dashboard',
};

/**
 * A client that sends each request straight to the service that owns it (internal access, no gateway,
 * no token): for specs of the saga itself rather than of the public edge.
 */
export function internalHttp(urls: Record<string, string>) {
  const clients = new Map(Object.entries(urls).map(([name, url]) => [name, http(url)]));
  const route = (path: string) => {
    const segment = path.split(/[/?]/)[1] ?? '';
    const client = clients.get(OWNER[segment] ?? '');
    if (!client) throw new Error(`no internal service owns ${path}`);
    return client;
  };
  return {
    get: <T = any>(path: string, headers?: Record<string, string>) => route(path).get<T>(path, headers),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => route(path).post<T>(path, body, headers),
    put: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => route(path).put<T>(path, body, headers),
    delete: <T = any>(path: string, headers?: Record<string, string>) => route(path).delete<T>(path, headers),
  };
}
