// The HTTP app every service and the gateway start from: what it refuses before a handler runs, how it
// answers a wrong method or a trailing slash, and that a server error leaves a trace in the log.
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { CalendarDate, createHttpApp, isCalendarDate } from '../src/index.js';

function appWithRoutes(log?: pino.Logger) {
  const app = createHttpApp({ service: 'test', log });
  const handled: unknown[] = [];
  app.post(
    '/bookings',
    {
      schema: {
        body: Type.Object({
          name: Type.String(),
          passengers: Type.Optional(Type.Array(Type.Object({ name: Type.String() }))),
          seats: Type.Optional(Type.Integer()),
        }),
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
      },
    },
    async (req) => {
      handled.push(req.body);
      return { ok: true };
    },
  );
  app.get('/bookings', { schema: { querystring: Type.Object({ name: Type.Optional(Type.String()) }) } }, async (req) => {
    handled.push(req.query);
    return [];
  });
  app.get('/bookings/:ref', async (req) => {
    handled.push(req.params);
    return { ref: (req.params as { ref: string }).ref };
  });
  app.delete('/bookings/:ref', async () => ({ deleted: true }));
  app.get('/broken', async () => {
    throw new Error('the disk is on fire');
  });
  return { app, handled };
}

describe('text no field takes is refused at the HTTP layer, naming the field', () => {
  const cases: Array<[string, { method: 'GET' | 'POST'; url: string; payload?: unknown; headers?: Record<string, string> }, string]> = [
    ['NUL in a body field', { method: 'POST', url: '/bookings', payload: { name: 'a\u0000b' } }, 'name'],
    ['a lone surrogate in a body field', { method: 'POST', url: '/bookings', payload: { name: 'x\ud800' } }, 'name'],
    ['a lone low surrogate', { method: 'POST', url: '/bookings', payload: { name: '\udc00y' } }, 'name'],
    ['a right-to-left override', { method: 'POST', url: '/bookings', payload: { name: 'abc\u202efdp.exe' } }, 'name'],
    ['an escape character', { method: 'POST', url: '/bookings', payload: { name: '\u001b[31mred' } }, 'name'],
    ['a C1 control', { method: 'POST', url: '/bookings', payload: { name: 'a\u0085b' } }, 'name'],
    [
      'a nested field',
      { method: 'POST', url: '/bookings', payload: { name: 'ok', passengers: [{ name: 'ok' }, { name: 'Kim\u0000' }] } },
      'passengers.1.name',
    ],
    ['an unknown field', { method: 'POST', url: '/bookings', payload: { name: 'ok', extra: '\u0000' } }, 'extra'],
    ['a field name', { method: 'POST', url: '/bookings', payload: { name: 'ok', 'a\u0000': 1 } }, 'a\u0000'],
    ['the query', { method: 'GET', url: '/bookings?name=%00' }, 'name'],
    ['a path parameter', { method: 'GET', url: '/bookings/AB%00CD' }, 'ref'],
    // a lone surrogate has no UTF-8: its percent-encoding is not a path at all
    ['a path parameter with a lone surrogate', { method: 'GET', url: '/bookings/AB%ED%A0%80' }, 'path'],
    [
      'the Idempotency-Key header',
      { method: 'POST', url: '/bookings', payload: { name: 'ok' }, headers: { 'idempotency-key': 'k\u0085' } },
      'Idempotency-Key',
    ],
  ];
  it.each(cases)('%s', async (_name, request, field) => {
    const { app, handled } = appWithRoutes();
    const res = await app.inject(request);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 400, field });
    expect(handled).toEqual([]);
  });

  it('refuses a number a header coerces to Infinity, naming the header', async () => {
    const app = createHttpApp({ service: 'test' });
    app.get('/feed', { schema: { headers: Type.Object({ 'last-event-id': Type.Optional(Type.Integer({ minimum: 0 })) }) } }, async () => ({
      ok: true,
    }));
    const res = await app.inject({ method: 'GET', url: '/feed', headers: { 'last-event-id': 'Infinity' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('Last-Event-Id');
  });

  it('lets ordinary text through: accents, CJK, emoji (a surrogate pair), right-to-left script', async () => {
    const { app, handled } = appWithRoutes();
    for (const name of ['Zoë Ångström', '김민준', '✈️😀', 'مرحبا', 'tab\tless? no: plain']) {
      const res = await app.inject({ method: 'POST', url: '/bookings', payload: { name: name.replace('\t', ' ') } });
      expect(res.statusCode, name).toBe(200);
    }
    expect(handled).toHaveLength(5);
  });
});

describe('a wrong method is 405 with Allow; a trailing slash names the same resource', () => {
  it('answers 405 with the methods the path takes', async () => {
    const { app } = appWithRoutes();
    const put = await app.inject({ method: 'PUT', url: '/bookings/ABC123' });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toBe('DELETE, GET, HEAD');
    expect(put.json()).toMatchObject({ status: 405, title: 'Method not allowed' });
    const patch = await app.inject({ method: 'PATCH', url: '/bookings?name=x' });
    expect(patch.statusCode).toBe(405);
    expect(patch.headers.allow).toBe('GET, HEAD, POST');
  });

  it('still answers 404 for a path no route has, though OPTIONS is answered everywhere (CORS)', async () => {
    const { app } = appWithRoutes();
    app.options('*', async () => '');
    expect((await app.inject({ method: 'PUT', url: '/nothing/here' })).statusCode).toBe(404);
    const put = await app.inject({ method: 'PUT', url: '/bookings' });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
  });

  it('takes /bookings/ as /bookings and /bookings/X/ as /bookings/X', async () => {
    const { app } = appWithRoutes();
    const list = await app.inject({ method: 'GET', url: '/bookings/' });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual([]);
    const one = await app.inject({ method: 'GET', url: '/bookings/ABC123/' });
    expect(one.json()).toEqual({ ref: 'ABC123' });
  });
});

function capture() {
  const lines: Array<Record<string, any>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, log: pino({ level: 'info' }, sink).child({ service: 'test' }) };
}

describe('a server error is logged', () => {
  it('with its request id and stack, and the answer names the request id', async () => {
    const { lines, log } = capture();
    const { app } = appWithRoutes(log);
    const res = await app.inject({ method: 'GET', url: '/broken' });
    expect(res.statusCode).toBe(500);
    const { requestId } = res.json();
    expect(requestId).toEqual(expect.any(String));
    expect(res.headers['x-request-id']).toBe(requestId);
    const logged = lines.filter((l) => l.level >= 50);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ requestId, service: 'test', url: '/broken' });
    expect(logged[0]!.err.stack).toContain('the disk is on fire');
  });
});

describe('every request is one log line, under the id the caller gave', () => {
  it('names method, route, status, duration, request id and customer; the id is answered back', async () => {
    const { lines, log } = capture();
    const { app } = appWithRoutes(log);
    const res = await app.inject({ method: 'GET', url: '/bookings/ABC123?customerId=7', headers: { 'x-request-id': 'req-42.a:b_c' } });
    expect(res.headers['x-request-id']).toBe('req-42.a:b_c');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request',
      service: 'test',
      requestId: 'req-42.a:b_c',
      method: 'GET',
      route: '/bookings/:ref',
      status: 200,
      customerId: 7,
    });
    expect(lines[0]!.durationMs).toEqual(expect.any(Number));
    expect(Object.keys(lines[0]!).filter((k) => k === 'service')).toHaveLength(1);
  });

  it.each([
    ['too long', 'x'.repeat(129)],
    ['a newline', 'a\nb'],
    ['spaces and quotes', 'a "b"'],
    ['empty', ''],
    ['non-ASCII', 'ré'],
  ])('an id that is %s is replaced by a fresh one', async (_what, id) => {
    const { lines, log } = capture();
    const { app } = appWithRoutes(log);
    const res = await app.inject({ method: 'GET', url: '/bookings', headers: { 'x-request-id': id } });
    const answered = res.headers['x-request-id'];
    expect(answered).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines[0]!.requestId).toBe(answered);
  });

  it('never logs a request body', async () => {
    const { lines, log } = capture();
    const { app } = appWithRoutes(log);
    await app.inject({ method: 'POST', url: '/bookings', payload: { name: 'card 4242424242424242', customerId: 3 } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ route: '/bookings', status: 200, customerId: 3 });
    expect(JSON.stringify(lines)).not.toContain('4242');
  });

  it('probes and scrapes are not logged', async () => {
    const { lines, log } = capture();
    const { app } = appWithRoutes(log);
    for (const url of ['/health/live', '/health/ready', '/metrics'])
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(200);
    expect(lines).toEqual([]);
  });
});

describe('a draining server closes each connection it answers', () => {
  it('an answer given after close() began says Connection: close; before, it does not', async () => {
    const app = createHttpApp({ service: 'test' });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    app.get('/slow', async () => {
      await held;
      return { ok: true };
    });
    app.get('/fast', async () => ({ ok: true }));
    expect((await app.inject({ method: 'GET', url: '/fast' })).headers.connection).not.toBe('close');
    const inFlight = app.inject({ method: 'GET', url: '/slow' });
    await new Promise((r) => setTimeout(r, 20));
    const closing = app.close();
    await new Promise((r) => setTimeout(r, 20));
    release();
    const res = await inFlight;
    expect(res.statusCode).toBe(200);
    expect(res.headers.connection).toBe('close');
    await closing;
  });
});

describe('dates are days that exist, in the years an airline books', () => {
  it.each(['2024-02-29', '2000-02-29', '2025-12-25', '2099-12-31', '2025-12-25T10:00', '2025-12-25T23:59:59.5Z', '2025-12-25T10:00+09:00'])(
    '%s is one',
    (d) => {
      expect(isCalendarDate(d)).toBe(true);
    },
  );
  it.each([
    '2024-02-30',
    '2023-02-29',
    '2100-02-29',
    '0000-01-01',
    '1999-12-31',
    '2100-01-01',
    '2024-13-01',
    '2024-00-10',
    '2024-04-31',
    '2024-11-21\u0000',
    '2024-11-21x',
    '2025-12-25T24:00',
    '2025-12-25T10:60',
    '2025-12-25T10:00+99:00',
    '',
  ])('%j is not', (d) => {
    expect(isCalendarDate(d)).toBe(false);
  });

  it('the schemas say the same: a route refuses an impossible date, naming the field', async () => {
    const app = createHttpApp({ service: 'test' });
    app.post('/d', { schema: { body: Type.Object({ day: CalendarDate() }) } }, async () => ({ ok: true }));
    for (const [day, status] of [
      ['2024-02-29', 200],
      ['2024-02-30', 400],
      ['0000-01-01', 400],
      ['2024-11-21T00:00', 400],
      [' 2024-11-21', 400],
    ] as const) {
      const res = await app.inject({ method: 'POST', url: '/d', payload: { day } });
      expect(res.statusCode, day).toBe(status);
      if (status === 400) expect(res.json().field).toBe('day');
    }
  });
});
