// The gateway's calls to a service during a rolling restart: a request that may be sent twice (GET,
// HEAD, a POST with an Idempotency-Key) goes once more, on a new connection, when its connection was
// reset or refused, or when a stopping replica answered 503 with Connection: close. Anything else is
// passed on as it came. Against a real HTTP server on loopback that misbehaves on purpose.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpProblem } from '@airline/http';
import { createUpstreams, type Upstreams } from '../src/upstream.js';

let server: Server | undefined;
let upstreams: Upstreams | undefined;
afterEach(async () => {
  await upstreams?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
});

/** A server whose first `misbehave` requests get `first`, later ones 200 {n}; counts requests and connections. */
async function flaky(first: (req: IncomingMessage, res: ServerResponse) => void, misbehave = 1) {
  let requests = 0;
  const sockets = new Set<unknown>();
  server = createServer((req, res) => {
    sockets.add(req.socket);
    req.resume();
    req.on('end', () => {
      if (++requests <= misbehave) return first(req, res);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ n: requests }));
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const retried: string[] = [];
  upstreams = createUpstreams(
    { svc: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
    { connectTimeoutMs: 1000, timeoutMs: 2000, onRetry: (_s, req, why) => retried.push(`${req.method} ${why}`) },
  );
  return { requests: () => requests, connections: () => sockets.size, retried };
}

const reset = (req: IncomingMessage) => req.socket.destroy();
const draining = (_req: IncomingMessage, res: ServerResponse) =>
  res.writeHead(503, { connection: 'close', 'content-type': 'application/json' }).end('{}');

describe('the gateway sends a request again, once, on a new connection', () => {
  it('a GET whose connection was reset', async () => {
    const s = await flaky(reset);
    const res = await upstreams!.request('svc', { method: 'GET', path: '/flights/1' });
    expect(res.status).toBe(200);
    expect(await res.body.json()).toEqual({ n: 2 });
    expect(s.connections()).toBe(2);
    expect(s.retried).toEqual(['GET UND_ERR_SOCKET']);
  });

  it('a POST with an Idempotency-Key answered 503 with Connection: close (a replica stopping)', async () => {
    const s = await flaky(draining);
    const res = await upstreams!.request('svc', {
      method: 'POST',
      path: '/reservations',
      headers: { 'idempotency-key': 'k1', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(s.requests()).toBe(2);
    expect(s.retried).toEqual(['POST 503 draining']);
  });

  it('only once: a second failure is the answer', async () => {
    const s = await flaky(reset, 2);
    await expect(upstreams!.request('svc', { method: 'GET', path: '/flights/1' })).rejects.toMatchObject({
      status: 503,
    } satisfies Partial<HttpProblem>);
    expect(s.requests()).toBe(2);
  });
});

describe('the gateway does not send again', () => {
  it('a POST without an Idempotency-Key (it could book twice): the reset is a 503', async () => {
    const s = await flaky(reset);
    await expect(
      upstreams!.request('svc', { method: 'POST', path: '/reservations', body: '{}', headers: { 'content-type': 'application/json' } }),
    ).rejects.toMatchObject({ status: 503 });
    expect(s.requests()).toBe(1);
    expect(s.retried).toEqual([]);
  });

  it('a service’s own 503 (its connection stays open): passed on as it came', async () => {
    const s = await flaky((_req, res) =>
      res.writeHead(503, { 'retry-after': '2', 'content-type': 'application/json' }).end('{"title":"Flight service unavailable"}'),
    );
    const res = await upstreams!.request('svc', { method: 'GET', path: '/flights/1' });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(s.requests()).toBe(1);
  });
});
