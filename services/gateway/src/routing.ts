// Which service owns a gateway path: the longest matching prefix of the routing table wins; a prefix
// segment `:name` matches any one segment (`/reservations/:id/timeline` can belong to another service
// than `/reservations`).
export interface RouteRow {
  prefix: string;
  service: string;
  /** Replaces the matched prefix on the way to the service (`/sandbox/test-cards` → `/v1/test-cards`). */
  rewritePrefix?: string;
}

export interface ResolvedRoute {
  service: string;
  /** The path on the service (query not included). */
  path: string;
}

const segments = (path: string) => path.split('/').filter((s) => s !== '');

export function resolveRoute(rows: readonly RouteRow[], path: string): ResolvedRoute | undefined {
  const parts = segments(path);
  let best: { row: RouteRow; length: number } | undefined;
  for (const row of rows) {
    const prefix = segments(row.prefix);
    if (prefix.length > parts.length) continue;
    if (!prefix.every((p, i) => p.startsWith(':') || p === parts[i])) continue;
    if (!best || prefix.length > best.length) best = { row, length: prefix.length };
  }
  if (!best) return undefined;
  const rest = parts.slice(best.length);
  const head = best.row.rewritePrefix ?? `/${parts.slice(0, best.length).join('/')}`;
  return { service: best.row.service, path: [head.replace(/\/$/, ''), ...rest].join('/') || '/' };
}

/** Fills `:name` segments of a pattern from route parameters (`/reservations/:id` → `/reservations/7`). */
export const fillPath = (pattern: string, params: Record<string, string>) =>
  pattern.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
