// A JSON client for specs that go through the gateway: signs in, sends the bearer token, and hands
// every response to the conformance check.
import type { Conformance } from './conformance.js';

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  headers?: Record<string, string>;
  /** Sent as is (malformed JSON, oversized bodies); otherwise `body` is JSON-encoded. */
  raw?: string;
}

export function gatewayClient(base: string, check?: Conformance, token?: string) {
  async function call<T = any>(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<Answer<T>> {
    const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...options.headers,
      },
      body: payload,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: the text is the body
    }
    // the path as it was sent: fetch resolves dot segments ('/reservations/.' asks for '/reservations/')
    const sent = new URL(base + path);
    check?.check({
      method,
      url: sent.pathname + sent.search,
      status: res.status,
      contentType: res.headers.get('content-type'),
      body: parsed,
    });
    return { status: res.status, headers: res.headers, body: parsed as T };
  }
  return {
    token,
    call,
    get: <T = any>(path: string, options?: CallOptions) => call<T>('GET', path, undefined, options),
    post: <T = any>(path: string, body: unknown = {}, options?: CallOptions) => call<T>('POST', path, body, options),
    put: <T = any>(path: string, body: unknown = {}, options?: CallOptions) => call<T>('PUT', path, body, options),
    delete: <T = any>(path: string, options?: CallOptions) => call<T>('DELETE', path, undefined, options),
    /** The same client, signed in as `username`. */
    async as(username: string, password: string) {
      const login = await call<{ token: string }>('POST', '/auth/login', { username, password });
      if (login.status !== 200) throw new Error(`cannot sign in as ${username}: ${login.status} ${JSON.stringify(login.body)}`);
      return gatewayClient(base, check, login.body.token);
    },
    withToken: (t: string) => gatewayClient(base, check, t),
  };
}

export type GatewayClient = ReturnType<typeof gatewayClient>;
