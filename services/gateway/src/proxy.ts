// Forwarding a request to the service that owns it, with the caller confined to their own data as the
// policy row says (see policy.ts). Everything not about ownership passes through unchanged: status,
// problem+json bodies, Location, streams.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem, notFound } from '@airline/http';
import type { Identity } from './auth/tokens.js';
import type { Policy } from './policy.js';
import { answerOf, type PublicCache } from './public-cache.js';
import { fillPath, resolveRoute, type RouteRow } from './routing.js';
import { upstreamProblem, type UpstreamResponse, type Upstreams } from './upstream.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
  'date',
]);
const PASSED_ON = ['accept', 'content-type', 'if-none-match', 'last-event-id', 'user-agent'];

/** The path and query a request asks for; dot segments are refused (no walking out of a prefix). */
export function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw new HttpProblem(400, 'Invalid request', 'the path is not valid percent-encoding', 'path');
  }
  if (decoded.split('/').some((s) => s === '.' || s === '..') || decoded.includes('\0') || /%2f/i.test(path)) {
    throw new HttpProblem(400, 'Invalid request', 'the path has segments that are not allowed', 'path');
  }
  return { path, query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)) };
}

/**
 * Idempotency keys are scoped to the caller: two users sending the same key never see each other's
 * result. The service gets a digest of (issuer, subject, key).
 */
export function scopedIdempotencyKey(header: string | string[] | undefined, identity: Identity | null): string | undefined {
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header.join(',') : header;
  if (key.length < 1 || key.length > 200)
    throw new HttpProblem(400, 'Invalid request', 'Idempotency-Key must be 1–200 characters', 'Idempotency-Key');
  return createHash('sha256')
    .update(`${identity?.issuer ?? ''}\n${identity?.subject ?? ''}\n${key}`)
    .digest('hex');
}

export function forwardedHeaders(req: FastifyRequest, identity: Identity | null, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = { 'x-request-id': req.id, 'x-forwarded-for': req.ip };
  for (const name of PASSED_ON) {
    const v = req.headers[name];
    if (typeof v === 'string' && (name !== 'content-type' || hasBody)) headers[name] = v;
  }
  const key = scopedIdempotencyKey(req.headers['idempotency-key'], identity);
  if (key) headers['idempotency-key'] = key;
  return headers;
}

export function sendUpstream(reply: FastifyReply, res: UpstreamResponse, body: unknown = res.body) {
  reply.status(res.status);
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    if (name === 'content-length' && body !== res.body) continue;
    reply.header(name, value);
  }
  return reply.send(body);
}

/**
 * A request about a booking (placing it: the answer's Location; anything under /reservations/{id}) has its
 * request line name the booking as correlationId, as every service's lines about it do: one id follows a
 * booking from the gateway through every service.
 */
function nameTheBooking(req: FastifyRequest, path: string, location: string | string[] | undefined) {
  const booking =
    /^\/reservations\/(\d+)(?:\/|$)/.exec(path) ?? (typeof location === 'string' ? /^\/reservations\/(\d+)$/.exec(location) : null);
  if (booking) req.log = req.log.child({ correlationId: booking[1] });
}

/** The one 404 a customer gets for anything not theirs: the same words as for what does not exist. */
const notYours = (own: { param: string; noun: string }, params: Record<string, string>) =>
  notFound(`${own.noun} ${params[own.param] ?? ''}`);

const ownedBy = (text: string, customerId: number) => {
  try {
    return (JSON.parse(text) as { customerId?: unknown }).customerId === customerId;
  } catch {
    return false;
  }
};

export interface ProxyDeps {
  routes: readonly RouteRow[];
  upstreams: Upstreams;
  /** Answers anonymous public reads for a moment (public-cache.ts); none: every read is forwarded. */
  publicCache?: PublicCache;
}

/** A read anyone may make, made by someone without a token, that is not a stream: the micro-cache's. */
const anonymousPublicRead = (req: FastifyRequest, policy: Policy) =>
  req.method === 'GET' &&
  policy.access === 'public' &&
  req.headers.authorization === undefined &&
  !(req.headers.accept ?? '').includes('text/event-stream');

export function proxyHandler({ routes, upstreams, publicCache }: ProxyDeps) {
  return async function proxy(req: FastifyRequest, reply: FastifyReply) {
    const policy = req.routeOptions.config.policy as Policy;
    const identity = req.identity;
    const params = (req.params ?? {}) as Record<string, string>;
    const { path, query } = splitUrl(req.url);
    const target = resolveRoute(routes, path);
    if (!target || !upstreams.has(target.service)) throw notFound(`route ${req.method} ${path}`);

    if (publicCache && anonymousPublicRead(req, policy)) {
      const search = query.toString();
      const answer = await publicCache.get(`${path}?${search}\n${req.headers.accept ?? ''}`, async () => {
        const headers = forwardedHeaders(req, null, false);
        delete headers['if-none-match']; // the cache needs the body; each reader's validator is checked here
        const res = await upstreams.request(target.service, { method: 'GET', path: target.path + (search ? `?${search}` : ''), headers });
        const text = await res.body.text().catch((err: unknown) => Promise.reject(upstreamProblem(target.service, err)));
        return answerOf(res.status, res.headers, text);
      });
      reply.status(answer.status).headers(answer.headers);
      const etag = answer.headers.etag;
      if (answer.status === 200 && etag !== undefined && req.headers['if-none-match'] === etag) return reply.status(304).send();
      return reply.send(answer.body);
    }

    let body = req.rawBody;
    // a customer is kept to their own data; an admin acts for anyone
    const own = identity?.role === 'customer' ? policy.own : undefined;
    const customerId = identity?.customerId ?? null;
    if (own && customerId === null) throw new HttpProblem(403, 'Forbidden', 'this token does not say which customer it acts for');
    switch (own?.kind) {
      case undefined:
        break;
      case 'body': {
        const parsed = req.body;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = JSON.stringify({ ...(parsed as object), customerId });
        break;
      }
      case 'query':
        query.delete('customerId');
        query.set('customerId', String(customerId));
        break;
      case 'param':
        if (params[own.param] !== String(customerId)) throw notYours(own, params);
        break;
      case 'lookup': {
        const lookupPath = fillPath(own.lookup, params);
        const owner = resolveRoute(routes, lookupPath);
        if (!owner) throw new Error(`policy ${policy.method} ${policy.path}: no service owns ${own.lookup}`);
        const found = await upstreams.json<{ customerId?: unknown }>(owner.service, owner.path, { 'x-request-id': req.id });
        if (found.status !== 200 || found.body?.customerId !== customerId) throw notYours(own, params);
        break;
      }
      case 'response':
        break;
      default:
        own satisfies never;
    }

    const search = query.toString();
    const aborted = new AbortController();
    reply.raw.once('close', () => aborted.abort());
    const res = await upstreams.request(target.service, {
      method: req.method,
      path: target.path + (search ? `?${search}` : ''),
      headers: forwardedHeaders(req, identity, body !== undefined),
      body,
      stream: (req.headers.accept ?? '').includes('text/event-stream'),
      signal: aborted.signal,
    });
    nameTheBooking(req, path, res.headers.location);
    if (own?.kind === 'response') {
      // read first, then decide: a resource of another customer is as absent as one that never was
      const text = await res.body.text().catch((err: unknown) => Promise.reject(upstreamProblem(target.service, err)));
      if (res.status === 404 || (res.status < 300 && !ownedBy(text, customerId!))) throw notYours(own, params);
      return sendUpstream(reply, res, text);
    }
    return sendUpstream(reply, res);
  };
}
