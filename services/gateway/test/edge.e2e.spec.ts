// The gateway alone, in front of stand-in services: rate limits, body limits, security headers, CORS,
// services that are down or slow, and what a first start creates and a restart keeps.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importPKCS8, SignJWT } from 'jose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase, migrate, migrationsFrom } from '@airline/database';
import { buildGateway, gatewayFilesIn, generateSigningKey, signingKeyFromPem, type Gateway, type GatewayConfig } from '@airline/gateway';
import { gatewayClient } from './support/client.js';
import { fakeUpstream } from './support/fake-upstream.js';

const ALICE = { username: 'alice', password: 'alice-password-1', role: 'customer' as const, customerId: 7 };
const ADMIN = { username: 'admin', password: 'admin-password-1', role: 'admin' as const, customerId: null };

const running: Array<{ close(): Promise<unknown> }> = [];

/** The status of a GET whose path goes out exactly as written. */
const rawStatus = (base: string, path: string, token: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(`${base}/`, { path, headers: { authorization: `Bearer ${token}` } }, (res) => {
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

describe('password guessing at one account, from many addresses', () => {
  /** POST /auth/login from a given loopback address (127.0.0.0/8 is all this machine's). */
  const loginFrom = (base: string, localAddress: string, username: string, password: string) =>
    new Promise<{ status: number; retryAfter: string | undefined; body: { title?: string; detail?: string } }>((resolve, reject) => {
      const body = JSON.stringify({ username, password });
      const req = request(
        `${base}/auth/login`,
        { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'], body: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7'];

  /** 180 wrong passwords at `username`, 30 from each of 6 addresses, round robin, as fast as they are answered. */
  async function guess(base: string, username: string, addresses: string[]) {
    const answers = [];
    for (let i = 0; i < 180; i++) answers.push(await loginFrom(base, addresses[i % addresses.length]!, username, `guess-${i}`));
    return answers;
  }

  let g: Awaited<ReturnType<typeof gateway>>;
  beforeAll(async () => {
    // the per-address budget off, to see the per-account one alone; waits long enough that none ends during the spec
    g = await gateway({ upstreams: {}, settings: { rateLimit: false, loginThrottle: { baseDelayMs: 10 * 60_000 } } });
  });

  it('180 guesses from 6 addresses: only the free ones are checked, the rest are 429 with Retry-After; the right password from elsewhere still works', async () => {
    const answers = await guess(g.url, 'alice', ADDRESSES);
    const statuses = answers.map((a) => a.status);
    // 10 checked (the account's free failures; no address used its own 5), then every guess waits
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(170).fill(429));
    for (const refused of answers.slice(10)) {
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(refused.body).toMatchObject({ title: 'Too many sign-in attempts' });
    }
    // the right password from an address that has not failed: in
    expect((await loginFrom(g.url, '127.0.0.8', 'alice', ALICE.password)).status).toBe(200);
    // from one that guessed: it waits like the others, right password or not
    expect((await loginFrom(g.url, '127.0.0.2', 'alice', ALICE.password)).status).toBe(429);
  });

  it('an unknown username is throttled exactly like a known one: the answers do not tell which exists', async () => {
    const known = await guess(g.url, 'admin', ['127.0.1.2', '127.0.1.3', '127.0.1.4', '127.0.1.5', '127.0.1.6', '127.0.1.7']);
    const unknown = await guess(g.url, 'nobody-here', ['127.0.2.2', '127.0.2.3', '127.0.2.4', '127.0.2.5', '127.0.2.6', '127.0.2.7']);
    const shape = (a: (typeof known)[number]) => ({
      status: a.status,
      body: { ...a.body, detail: a.body.detail?.replace(/\d+ s$/, 'N s') },
    });
    expect(unknown.map(shape)).toEqual(known.map(shape));
    expect(known.filter((a) => a.status === 401)).toHaveLength(10);
  });

  it('one address alone gets its own 5 free failures at an account, then waits', async () => {
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push((await loginFrom(g.url, '127.0.3.2', 'customer-x', `guess-${i}`)).status);
    expect(answers).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
  });
});

describe('health and metrics', () => {
  let g: Awaited<ReturnType<typeof gateway>>;
  beforeAll(async () => {
    const upstream = await fakeUpstream();
    running.push(upstream);
    g = await gateway({ upstreams: { flight: upstream.url }, settings: { rateLimit: false }, management: { port: 0, host: '127.0.0.1' } });
    await g.api.get('/flights'); // something for the metrics to count
  });

  it('on the public port, readiness and metrics are staff-only (401 anonymous, 403 customer, 200 admin); liveness is public', async () => {
    const alice = await g.api.as(ALICE.username, ALICE.password);
    const admin = await g.api.as(ADMIN.username, ADMIN.password);
    for (const path of ['/metrics', '/health/ready']) {
      const anonymous = await g.api.get(path);
      expect(anonymous.status, path).toBe(401);
      expect(JSON.stringify(anonymous.body), path).not.toMatch(/http_request_duration|checks/);
      expect((await alice.get(path)).status, path).toBe(403);
      expect((await admin.get(path)).status, path).toBe(200);
    }
    expect((await g.api.get('/health/live')).status).toBe(200);
  });

  it('the management port answers probes and Prometheus without a token', async () => {
    const base = g.app.management!.url();
    expect(base).not.toBe(g.url);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'UP', service: 'gateway', checks: { database: 'UP' } });
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/flights"/);
    // and nothing else: the API is not served there
    expect((await fetch(`${base}/flights`)).status).toBe(404);
  });

  it('the management port says not ready once the gateway starts to close, and closes with it', async () => {
    const upstream = await fakeUpstream();
    running.push(upstream);
    const app = await buildGateway({ upstreams: { flight: upstream.url }, users: [ADMIN], management: { port: 0, host: '127.0.0.1' } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = app.management!.url();
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    await app.close();
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();
  });
});

describe('rate limits behind a proxy', () => {
  it('with TRUST_PROXY the client address is the one the proxy forwards: clients behind one ingress do not share a limit', async () => {
    const upstream = await fakeUpstream();
    running.push(upstream);
    const g = await gateway({
      upstreams: { flight: upstream.url },
      settings: { trustProxy: true, rateLimit: { max: 1, windowMs: 60_000, loginMax: 1 } },
    });
    const from = (ip: string) => g.api.get('/flights', { headers: { 'x-forwarded-for': ip } });
    expect([(await from('203.0.113.7')).status, (await from('203.0.113.7')).status, (await from('198.51.100.2')).status]).toEqual([
      200, 429, 200,
    ]);
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
    expect((await admin.post('/flights', undefined, { raw: `{"a":${'['.repeat(31)}${']'.repeat(31)}}` })).status).toBe(201);
    expect((await admin.post('/flights', undefined, { raw: '{"__proto__":{"admin":true}}' })).status).toBe(400);
    expect((await admin.post('/flights', undefined, { raw: '{"flightCode": "A1",' })).body).toMatchObject({
      status: 400,
      title: 'Malformed JSON',
    });
  });

  it('dot segments and encoded slashes in the path are refused', async () => {
    const admin = await g.api.as(ADMIN.username, ADMIN.password);
    const seen = upstream.received.length;
    // sent as raw bytes: fetch would resolve the dot segments before sending
    for (const path of [
      '/reservations/../flights',
      '/reservations/%2e%2e/flights',
      '/reservations/7%2fcancel',
      '/reservations/..%2F..%2Fflights',
    ]) {
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
    // refusals and unknown paths too, and the answers of the micro-cache
    for (const path of ['/reservations', '/no-such-path', '/flights']) {
      const other = await fetch(`${g.url}${path}`);
      expect(other.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(other.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });
});

describe('CORS when configured', () => {
  it('allows the configured origins, with the headers the API needs, and no others', async () => {
    const upstream = await fakeUpstream();
    running.push(upstream);
    const g = await gateway({ upstreams: { flight: upstream.url }, settings: { corsOrigins: ['https://app.example'] } });
    const preflight = await fetch(`${g.url}/flights`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,idempotency-key',
      },
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
    running.push({
      close: () =>
        new Promise((r) => {
          for (const s of sockets) s.destroy();
          silent.close(r);
        }),
    });
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

describe("the gateway's own tokens and the clock", () => {
  it('a token whose iat is more than 60 s in the future is refused; within the skew it is accepted; one without iat is refused', async () => {
    const key = await generateSigningKey();
    const app = await buildGateway({ upstreams: {}, users: [ADMIN], signingKey: { pem: key.pem } });
    try {
      const privateKey = await importPKCS8(key.pem, 'ES256');
      const now = Math.floor(Date.now() / 1000);
      const sign = (iat: number | undefined) => {
        const jwt = new SignJWT({ role: 'admin', customerId: null, username: 'admin' })
          .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
          .setIssuer('airline-gateway')
          .setAudience('airline-api')
          .setSubject('admin')
          .setExpirationTime(now + 3600);
        return (iat === undefined ? jwt : jwt.setIssuedAt(iat)).sign(privateKey);
      };
      const me = async (token: string) => app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } });
      const ahead = await me(await sign(now + 120));
      expect(ahead.statusCode).toBe(401);
      expect(ahead.json().detail).toMatch(/issued in the future/);
      expect((await me(await sign(now + 30))).statusCode).toBe(200);
      expect((await me(await sign(now))).statusCode).toBe(200);
      expect((await me(await sign(undefined))).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});

describe('first start and restart', () => {
  const collect = () => {
    const lines: string[] = [];
    const log = pino(
      { level: 'info' },
      new Writable({
        write: (chunk, _enc, done) => {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    return { lines, log };
  };

  it('a first start creates demo users with random passwords, written to a 0600 file and never logged; a restart keeps users and the signing key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-first-start-'));
    try {
      const { lines, log } = collect();
      const files = gatewayFilesIn(dir);
      const start = async () => {
        const db = await createPgliteDatabase(join(dir, 'gateway'));
        const app: Gateway = await buildGateway({ upstreams: {}, db, log, ...files, terminal: false });
        await app.ready();
        return {
          app,
          close: async () => {
            await app.close();
            await db.close();
          },
        };
      };

      const first = await start();
      const written = readFileSync(files.demoUsersFile, 'utf8');
      expect(statSync(files.demoUsersFile).mode & 0o777).toBe(0o600);
      const passwords = Object.fromEntries([...written.matchAll(/^(\w+) +([A-Za-z0-9]{16}) /gm)].map((m) => [m[1]!, m[2]!]));
      expect(Object.keys(passwords)).toEqual(['admin', 'customer1', 'customer2', 'customer3']);
      const announced = lines.map((l) => JSON.parse(l)).find((l) => l.users);
      expect(announced.users).toEqual([
        { username: 'admin', role: 'admin', customerId: null },
        { username: 'customer1', role: 'customer', customerId: 1 },
        { username: 'customer2', role: 'customer', customerId: 2 },
        { username: 'customer3', role: 'customer', customerId: 3 },
      ]);
      expect(announced.file).toBe(files.demoUsersFile); // the log says where, not what
      for (const password of Object.values(passwords)) expect(lines.join('\n')).not.toContain(password);
      const login = await first.app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username: 'admin', password: passwords.admin },
      });
      expect(login.statusCode).toBe(200);
      const token = login.json().token as string;
      const jwks = first.app.tokens.jwks();
      expect(statSync(files.signingKey.file).mode & 0o777).toBe(0o600);
      await first.close();

      lines.length = 0;
      const second = await start();
      expect(lines.some((l) => l.includes('demo users'))).toBe(false); // made once
      expect(second.app.tokens.jwks()).toEqual(jwks);
      const me = await second.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } });
      expect(me.json()).toEqual({ username: 'admin', role: 'admin', customerId: null }); // a restart signs nobody out
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a signing key an older version kept in the database moves to its own 0600 file and leaves the database; its tokens stay good', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-old-key-'));
    try {
      // the database as the older version left it: its first two migrations, and the key in signing_keys
      const db = await createPgliteDatabase(join(dir, 'gateway'));
      const older = migrationsFrom(fileURLToPath(new URL('../migrations', import.meta.url))).filter((m) => m.name < '003');
      await migrate(db, older);
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const publicJwk = await exportJWK(publicKey);
      const kid = await calculateJwkThumbprint(publicJwk);
      await db.query('INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk) VALUES ($1, $2, $3, $4)', [
        kid,
        'ES256',
        JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'ES256' }),
        JSON.stringify({ ...publicJwk, kid, alg: 'ES256', use: 'sig' }),
      ]);
      const oldToken = await new SignJWT({ role: 'admin', customerId: null, username: 'admin' })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer('airline-gateway')
        .setAudience('airline-api')
        .setSubject('admin')
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey);

      const { lines, log } = collect();
      const files = gatewayFilesIn(dir);
      const app = await buildGateway({ upstreams: {}, db, log, users: [ADMIN], ...files });
      await app.ready();
      expect(app.tokens.jwks().keys.map((k) => k.kid)).toEqual([kid]);
      expect(statSync(files.signingKey.file).mode & 0o777).toBe(0o600);
      expect((await signingKeyFromPem(readFileSync(files.signingKey.file, 'utf8'))).kid).toBe(kid);
      expect((await db.query("SELECT to_regclass('signing_keys')::text AS t")).rows[0]).toEqual({ t: null });
      expect(lines.some((l) => l.includes('moved out of the gateway database'))).toBe(true);
      const me = await app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${oldToken}` } });
      expect(me.statusCode).toBe(200);
      await app.close();
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a key file others could read is made private at start, with a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-loose-key-'));
    try {
      const files = gatewayFilesIn(dir);
      writeFileSync(files.signingKey.file, (await generateSigningKey()).pem, { mode: 0o644 });
      chmodSync(files.signingKey.file, 0o644);
      const { lines, log } = collect();
      const app = await buildGateway({ upstreams: {}, log, users: [ADMIN], ...files });
      await app.ready();
      expect(statSync(files.signingKey.file).mode & 0o777).toBe(0o600);
      expect(lines.some((l) => l.includes('readable by others'))).toBe(true);
      await app.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
