// The one way the UI talks to the gateway (same origin): JSON in and out, the bearer token of the
// signed-in user, and errors turned into ApiError carrying the problem+json body, so a form can show
// `detail` next to the input named by `field`.

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  field?: string;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
  }
  get status() {
    return this.problem.status;
  }
  /** The input this error is about: `body.seatQty` and `seatQty` both name `seatQty`. */
  get field(): string | undefined {
    return this.problem.field?.replace(/^(body|querystring|params)\./, '');
  }
}

let token: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setToken(value: string | null) {
  token = value;
}

/** Called when the gateway refuses the token (expired, revoked): the app signs the user out. */
export function setUnauthorizedHandler(handler: (() => void) | null) {
  onUnauthorized = handler;
}

export interface RequestOptions {
  signal?: AbortSignal;
  idempotencyKey?: string;
  headers?: Record<string, string>;
}

export function authHeaders(): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

export async function request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...authHeaders(), ...options.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: options.signal });
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiError({ title: 'Network error', status: 0, detail: 'the server cannot be reached; check your connection and try again' });
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const p = (parsed ?? {}) as Partial<Problem>;
    if (res.status === 401 && onUnauthorized && token) onUnauthorized();
    throw new ApiError({
      type: p.type,
      title: p.title ?? res.statusText ?? 'Request failed',
      status: res.status,
      detail: p.detail ?? (res.status === 429 ? 'too many requests; wait a moment and try again' : undefined),
      field: p.field,
    });
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, undefined, options),
  post: <T>(path: string, body: unknown = {}, options?: RequestOptions) => request<T>('POST', path, body, options),
};

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.problem.detail ?? err.problem.title;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** A random key for Idempotency-Key: a double-submitted form books once. Works outside secure contexts too. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export const qs = (params: Record<string, string | number | undefined | null>) => {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== null && e[1] !== '');
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}` : '';
};

/** Every row of a list the API pages with `limit` and `after` (the last id seen). */
export async function allPages<T extends { id: number }>(
  path: string,
  params: Record<string, string | number | undefined>,
  signal?: AbortSignal,
  pageSize = 1000,
): Promise<T[]> {
  const rows: T[] = [];
  for (let after = 0; ; ) {
    const page = await api.get<T[]>(path + qs({ ...params, limit: pageSize, after }), { signal });
    rows.push(...page);
    const last = page[page.length - 1];
    if (page.length < pageSize || !last) return rows;
    after = last.id;
  }
}
