// The gateway alone, in front of stand-in services: rate limits, body limits, security headers, CORS,
// services that are down or slow, and what a first start creates and a restart keeps.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase } from '@airline/database';
import { buildGateway, type Gateway, type GatewayConfig } from '@airline/gateway';
import { gatewayClient } from './support/client.js';
import { fakeUpstream } from './support/fake-upstream.js';

const ALICE = { username: 'alice', password: 'alice-password-1', role: 'customer' as const, customerId: 7 };
const ADMIN = { username: 'admin', password: 'admin-password-1', role: 'admin' as const, customerId: null };

const running: Array<{ close(): Promise<unknown> }> = [];

/** The status of a GET whose path goes out exactly as written. */
const rawStatus = (base: string, path: string, token: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(base + '/', { path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
afterAll(async () => {
  for (const r of running.reverse()) await r.close();
});

async function gateway(config: Partial<GatewayConfig> & Pick<GatewayConfig, 'upstreams'>) {
  const app = await buildGateway({ users: [ALICE, ADMIN], ...config });
  await app.listen({ port: 0, host: '127.0.0.1' });
  running.push(app);
  const address = app.server.address();
  const url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  return { app, url, api: gatewayClient(url) };
}

describe('rate limits', () => {
  let g: Awaited<ReturnType<typeof gateway>>;
  beforeAll(async () => {
    const upstream = await fakeUpstream();
    running.push(upstream);
    g = await gateway({ upstreams: { flight: upstream.url }, settings: { rateLimit: { max: 3, windowMs: 60_000, loginMax: 2 } } });
  });

  it('per client IP without a token, per token with one: the 4th call in the window is 429 with Retry-After', async () => {
    // sign in first: the login attempts have a budget of their own
    const alice = await g.api.as(ALICE.username, ALICE.password);
    const anonymous = [];
    for (let i = 0; i < 4; i++) anonymous.push(await g.api.get('/flights'));
    expect(anonymous.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    const refused = anonymous[3]!;
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 429, title: 'Too many requests' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // the same IP with a token is counted as that token
    const signedIn = [];
    for (let i = 0; i < 4; i++) signedIn.push((await alice.get('/auth/me')).status);
    expect(signedIn).toEqual([200, 200, 200, 429]);
  });

  it('password guessing: sign-in attempts per IP have a budget of their own', async () => {
    const attempts = [];
    for (let i = 0; i < 3; i++) attempts.push((await g.api.post('/auth/login', { username: 'alice', password: `guess-${i}` })).status);
    // the successful sign-in of the spec above spent one of the two
    expect(attempts).toEqual([401, 429, 429]);
  });
});

describe('rate limits behind a proxy', () => {
  it('with TRUST_PROXY the client address is the one the proxy forwards: clients behind one ingress do not share a limit', async () => {
    const upstream = await fakeUpstream();
    running.push(upstream);
    const g = await gateway({ upstreams: { flight: upstream.url }, settings: { trustProxy: true, rateLimit: { max: 1, windowMs: 60_000, loginMax: 1 } } });
    const from = (ip: string) => g.api.get('/flights', { headers: { 'x-forwarded-for': ip } });
    expect([(await from('203.0.113.7')).status, (await from('203.0.113.7')).status, (await from('198.51.100.2')).status]).toEqual([200, 429, 200]);
  });

  it('without it, a forged X-Forwarded-For does not buy a fresh limit', async () => {
    const upstream = await fakeUpstream();
    running.push(upstream);
    const g = await gateway({ upstreams: { flight: upstream.url }, settings: { rateLimit: { max: 1, windowMs: 60_000, loginMax: 1 } } });
    const from = (ip: string) => g.api.get('/flights', { headers: { 'x-forwarded-for': ip } });
    expect([(await from('203.0.113.7')).status, (await from('198.51.100.2')).status]).toEqual([200, 429]);
  });
});

describe('hostile requests stop at the gateway', () => {
  let g: Awaited<ReturnType<typeof gateway>>;
  let upstream: Awaited<ReturnType<typeof fakeUpstream>>;
  beforeAll(async () => {
    upstream = await fakeUpstream();
    running.push(upstream);
    g = await gateway({ upstreams: { flight: upstream.url, reservation: upstream.url }, settings: { rateLimit: false, bodyLimit: 4096 } });
  });

  it('a body over the limit is 413 problem+json and never reaches the service', async () => {
    const admin = await g.api.as(ADMIN.username, ADMIN.password);
    const seen = upstream.received.length;
    const r = await admin.post('/flights', { flightCode: 'X'.repeat(5000) });
    expect(r.status).toBe(413);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(upstream.received.length).toBe(seen);
  });

  it('JSON nested deeper than 32 levels is 400 naming the body; a prototype-poisoning key is 400', async () => {
    const admin = await g.api.as(ADMIN.username, ADMIN.password);
    const deep = await admin.post('/flights', undefined, { raw: '['.repeat(33) + ']'.repeat(33) });
    expect(deep.status).toBe(400);
    expect(deep.body).toMatchObject({ field: 'body' });
    expect((await admin.post('/flights', undefined, { raw: '{"a":' + '['.repeat(31) + ']'.repeat(31) + '}' })).status).toBe(201);
    expect((await admin.post('/flights', undefined, { raw: '{"__proto__":{"admin":true}}' })).status).toBe(400);
    expect((await admin.post('/flights', undefined, { raw: '{"flightCode": "A1",' })).body).toMatchObject({ status: 400, title: 'Malformed JSON' });
  });

  it('dot segments and encoded slashes in the path are refused', async () => {
    const admin = await g.api.as(ADMIN.username, ADMIN.password);
    const seen = upstream.received.length;
    // sent as raw bytes: fetch would resolve the dot segments before sending
    for (const path of ['/reservations/../flights', '/reservations/%2e%2e/flights', '/reservations/7%2fcancel', '/reservations/..%2F..%2Fflights']) {
      expect(await rawStatus(g.url, path, admin.token!), path).toBe(400);
    }
    expect(upstream.received.length).toBe(seen);
  });

  it('security headers on every answer; no CORS for other origins unless configured', async () => {
    const r = await fetch(`${g.url}/flights`, { headers: { origin: 'https://elsewhere.example' } });
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(r.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS when configured', () => {
  it('allows the configured origins, with the headers the API needs, and no others', async () => {
    const upstream = await fakeUpstream();
    running.push(upstream);
    const g = await gateway({ upstreams: { flight: upstream.url }, settings: { corsOrigins: ['https://app.example'] } });
    const preflight = await fetch(`${g.url}/flights`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('idempotency-key');
    const other = await fetch(`${g.url}/flights`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('services that are down or slow', () => {
  let silent: Server;
  let g: Awaited<ReturnType<typeof gateway>>;
  beforeAll(async () => {
    // accepts connections, never answers
    const sockets = new Set<Socket>();
    silent = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    running.push({ close: () => new Promise((r) => (sockets.forEach((s) => s.destroy()), silent.close(r))) });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    g = await gateway({
      upstreams: {
        flight: `http://127.0.0.1:${closedPort}`,
        reservation: `http://127.0.0.1:${(silent.address() as { port: number }).port}`,
      },
      settings: { rateLimit: false, upstreamConnectTimeoutMs: 500, upstreamTimeoutMs: 700 },
    });
  });

  it('refused connection → 503 problem+json at once, with Retry-After', async () => {
    const started = Date.now();
    const r = await g.api.get('/flights');
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ status: 503, title: 'Service unavailable', service: 'flight' });
    expect(r.headers.get('retry-after')).toBeDefined();
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('connected but no answer → 504 after the upstream timeout, not a hang', async () => {
    const alice = await g.api.as(ALICE.username, ALICE.password);
    const r = await alice.get('/reservations');
    expect(r.status).toBe(504);
    expect(r.body).toMatchObject({ status: 504, title: 'Upstream timeout', service: 'reservation' });
  });
});

describe('first start and restart', () => {
  it('a first start creates demo users with random passwords, logged once; a restart keeps users and the signing key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-first-start-'));
    try {
      const lines: string[] = [];
      const log = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
      const start = async () => {
        const db = await createPgliteDatabase(dir);
        const app: Gateway = await buildGateway({ upstreams: {}, db, log });
        await app.ready();
        return { app, close: async () => (await app.close(), await db.close()) };
      };

      const first = await start();
      const printed = lines.map((l) => JSON.parse(l)).find((l) => l.users);
      expect(printed.users.map((u: { username: string; role: string; customerId: number | null }) => [u.username, u.role, u.customerId])).toEqual([
        ['admin', 'admin', null],
        ['customer1', 'customer', 1],
        ['customer2', 'customer', 2],
        ['customer3', 'customer', 3],
      ]);
      const adminPassword = printed.users[0].password as string;
      expect(adminPassword).toMatch(/^[A-Za-z0-9]{16}$/);
      const login = await first.app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'admin', password: adminPassword } });
      expect(login.statusCode).toBe(200);
      const token = login.json().token as string;
      const jwks = first.app.tokens.jwks();
      await first.close();

      lines.length = 0;
      const second = await start();
      expect(lines.some((l) => l.includes('password'))).toBe(false); // shown once, never again
      expect(second.app.tokens.jwks()).toEqual(jwks);
      const me = await second.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } });
      expect(me.json()).toEqual({ username: 'admin', role: 'admin', customerId: null }); // a restart signs nobody out
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
