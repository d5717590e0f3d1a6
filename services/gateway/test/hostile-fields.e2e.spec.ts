// Every route and every field, from the OpenAPI documents: the gateway's public document for requests
// through the gateway, the services' own documents (their route schemas) for requests straight to the service ports.
// Each generated request gives each field a valid value, a hostile one, or none. Hostile: NUL and other
// control characters, lone surrogates, right-to-left overrides, impossible dates, huge, negative and
// fractional numbers, the wrong type. Whatever comes in: never a 5xx, nothing written when refused, and
// text no field takes (or an impossible date) is a 400 naming its field.
//
// "Nothing written" is checked cheaply first: PostgreSQL hands a transaction id to every transaction that
// writes, so when no database's next transaction id moved, nothing was written; when one moved, every
// table of every database is compared with the state before.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@airline/database';
import { eventually } from '@airline/testing';
import { checkedInDocument } from '../src/api-documents.js';
import { routes } from '../src/index.js';
import type { OpenApiDocument } from '../src/openapi.js';
import { gatewayClient, type Answer, type GatewayClient } from './support/client.js';
import { systemWithUsers } from './support/system.js';

type Json = Record<string, any>;
type Where = 'path' | 'query' | 'header' | 'body';
interface Field {
  name: string;
  in: Where;
  schema: Json;
  required: boolean;
}
interface Operation {
  /** The service that answers it (requests straight to the service ports). */
  service?: string;
  method: string;
  /** OpenAPI path: `/flights/{id}`. */
  path: string;
  fields: Field[];
  /** Answers with an event stream that does not end: only its status is read. */
  stream: boolean;
}

/** Every operation of a document with its fields. */
function operationsOf(doc: OpenApiDocument, service?: string): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods as Record<string, Json>)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const stream = JSON.stringify(op.responses ?? {}).includes('text/event-stream') || /Server-Sent Events/.test(op.summary ?? '');
      const fields: Field[] = (op.parameters ?? []).map((p: Json) => ({
        name: p.name,
        in: p.in,
        schema: p.schema ?? {},
        required: !!p.required,
      }));
      const body = op.requestBody?.content?.['application/json']?.schema as Json | undefined;
      for (const [name, schema] of Object.entries((body?.properties ?? {}) as Record<string, Json>))
        fields.push({ name, in: 'body', schema, required: (body?.required ?? []).includes(name) });
      ops.push({ service, method: method.toUpperCase(), path, fields, stream });
    }
  }
  return ops;
}

// ---- values ----

/** What this spec counts as text no field takes (its own list, not the implementation's). */
const FORBIDDEN_CHARS = [
  '\u0000',
  '\u0001',
  '\u0008',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u202e',
  '\u202d',
  '\u2066',
  '\u2069',
  '\ud800',
  '\udfff',
];
const HEADER_SENDABLE = ['\t', '\u0080', '\u0085', '\u009b', '\u009f']; // fetch sends no other control character in a header, nor anything above U+00FF
const LONE_SURROGATE = /\p{Cs}/u;
const SENDABLE_IN_HEADER = /^[\t\x20-\x7e\x80-\xff]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the guard's own set of control characters, to check it
const hasForbidden = (s: string) => /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(s) || LONE_SURROGATE.test(s);
const IMPOSSIBLE_DATES = [
  '2024-02-30',
  '2023-02-29',
  '2100-02-29',
  '0000-01-01',
  '1899-12-31',
  '9999-12-31',
  '2024-13-01',
  '2024-04-31',
  '2024-11-21T25:00',
  '2024-11-21\u0000',
  '2024-11-21\ud800',
];
const isDateField = (f: Field) => /Date$/.test(f.name);

/** A valid value for a field, aimed at what exists (ids 1–3, the seeded users and cards). */
function valid(f: Field): fc.Arbitrary<unknown> {
  const s = f.schema;
  const enums = s.enum ?? (s.anyOf as Json[] | undefined)?.flatMap((a) => a.enum ?? (a.const !== undefined ? [a.const] : []));
  if (enums?.length) return fc.constantFrom(...enums);
  if (s.type === 'integer' || s.type === 'number') {
    const min = Math.max(s.minimum ?? 0, f.name === 'after' ? 0 : 1);
    return fc.integer({ min, max: Math.min(s.maximum ?? 5, min + 4) });
  }
  // a valid value must be valid, or a refusal may name it rather than the one hostile field
  if (s.type === 'array' && f.name === 'passengers')
    return fc.array(fc.constantFrom({ givenName: 'Minji', familyName: 'Kim' }, { givenName: 'Jisoo', familyName: 'Park' }), {
      maxLength: 2,
    });
  if (s.type === 'array') return fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 });
  const known: Record<string, fc.Arbitrary<string>> = {
    username: fc.constantFrom('admin', 'alice'),
    password: fc.constant('admin-password-1'),
    flightCode: fc.constant('HX1'),
    takeoffDate: fc.constantFrom('2027-01-01', '2027-01-01T10:30'),
    reserveDate: fc.constant('2026-12-01'),
    card: fc.constantFrom('4242424242424242', '4000000000000002'),
    paymentMethod: fc.constantFrom('pm_card_visa', 'pm_card_chargeDeclined'),
    origin: fc.constant('ICN'),
    destination: fc.constant('JFK'),
    from: fc.constant('ICN'),
    to: fc.constant('JFK'),
    code: fc.constantFrom('ICN', 'JFK'),
    currency: fc.constantFrom('KRW', 'USD'),
    departureTime: fc.constant('2027-01-10T10:30'),
    arrivalTime: fc.constant('2027-01-10T20:30'),
    date: fc.constant('2027-01-10'),
    bookingReference: fc.constant('ABCDEF'),
    service: fc.constantFrom('flight', 'payment'),
    'idempotency-key': fc.string({ unit: fc.constantFrom(...'abcdef0123'), minLength: 1, maxLength: 12 }),
  };
  return known[f.name] ?? fc.constant(String(s.examples?.[0] ?? 'x'));
}

const insertInto = (text: fc.Arbitrary<string>, chars: string[]) =>
  fc.tuple(text, fc.constantFrom(...chars), fc.nat()).map(([t, c, i]) => {
    const at = t.length === 0 ? 0 : i % (t.length + 1);
    return t.slice(0, at) + c + t.slice(at);
  });
const hugeNumbers = fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, 1e21);
const oddNumbers = fc.constantFrom(-1, 0, -0, 0.5, 1.5, 2.000001, 1e-7, -3.75);

/** A hostile value for a field: whether the field's own spec requires it to be refused naming the field. */
function hostile(f: Field): fc.Arbitrary<{ value: unknown; mustName: boolean }> {
  const base = valid(f).map((v) => String(v));
  // in a header, between two copies of the value: fetch trims whitespace at either end
  const text =
    f.in === 'header'
      ? fc.tuple(base, fc.constantFrom(...HEADER_SENDABLE)).map(([t, c]) => `${t}${c}${t}`)
      : insertInto(base, FORBIDDEN_CHARS);
  const named = (a: fc.Arbitrary<unknown>) => a.map((value) => ({ value, mustName: true }));
  const loose = (a: fc.Arbitrary<unknown>) => a.map((value) => ({ value, mustName: false }));
  const options: Array<fc.Arbitrary<{ value: unknown; mustName: boolean }>> = [
    // a lone surrogate has no UTF-8: in a path or query it cannot be sent as such, only in JSON
    named(f.in === 'body' || f.in === 'header' ? text : text.filter((t) => !LONE_SURROGATE.test(t))),
    loose(fc.oneof(hugeNumbers, oddNumbers).map((n) => (f.in === 'body' ? n : String(n)))),
    // a path segment longer than the gateway's longest parameter (2,048) falls to the prefix's catch-all
    loose(
      fc.constantFrom(
        ...['', ' ', 'A'.repeat(f.in === 'path' ? 2_000 : 5_000), "' OR 1=1 --", 'NaN', 'Infinity', '1e400', '１', '😀'.repeat(3)].filter(
          (t) => f.in !== 'header' || SENDABLE_IN_HEADER.test(t),
        ),
      ),
    ),
  ];
  if (f.in === 'body') options.push(loose(fc.constantFrom(null, true, false, [], {}, [1], { $gt: 0 }, '\u0000')));
  if (isDateField(f)) options.push(named(fc.constantFrom(...IMPOSSIBLE_DATES.filter((d) => f.in === 'body' || !LONE_SURROGATE.test(d)))));
  return fc.oneof(...options);
}

interface Generated {
  service?: string;
  stream: boolean;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
  /** Fields given a hostile value, and whether each must be the one named. */
  hostileFields: Array<{ field: Field; mustName: boolean }>;
  /** Some value sent holds text no field takes. */
  forbiddenText: boolean;
  /** A required field was left out (that is what a refusal may name then). */
  missingRequired: boolean;
}

/** Whether a value, or anything in it, is a string with text no field takes. */
const holdsForbidden = (v: unknown): boolean =>
  typeof v === 'string'
    ? hasForbidden(v)
    : Array.isArray(v)
      ? v.some(holdsForbidden)
      : v !== null && typeof v === 'object'
        ? Object.values(v).some(holdsForbidden)
        : false;

/** Percent-encoding that also carries what encodeURIComponent cannot (lone surrogates, as their WTF-8 bytes). */
function encode(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff)
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    else out += encodeURIComponent(ch);
  }
  return out;
}

/** A request to one operation: each field valid (most often), hostile, or left out (not path fields). */
function request(op: Operation): fc.Arbitrary<Generated> {
  const perField = op.fields.map((f) =>
    fc.oneof(
      { weight: 5, arbitrary: valid(f).map((value) => ({ f, value, hostile: undefined as undefined | { mustName: boolean } })) },
      {
        weight: 3,
        arbitrary: hostile(f).map(({ value, mustName }) => ({ f, value, hostile: { mustName } as undefined | { mustName: boolean } })),
      },
      ...(f.in === 'path'
        ? []
        : [
            {
              weight: 1,
              arbitrary: fc.constant({ f, value: undefined as unknown, hostile: undefined as undefined | { mustName: boolean } }),
            },
          ]),
    ),
  );
  return fc.tuple(...perField).map((chosen) => {
    let url = op.path;
    const query: string[] = [];
    const headers: Record<string, string> = {};
    const body: Record<string, unknown> = {};
    for (const { f, value } of chosen) {
      if (value === undefined) continue;
      if (f.in === 'path') url = url.replace(`{${f.name}}`, encode(String(value)));
      else if (f.in === 'query') query.push(`${encode(f.name)}=${encode(String(value))}`);
      else if (f.in === 'header') headers[f.name] = String(value);
      else body[f.name] = value;
    }
    const hasBody = op.method === 'POST' || op.method === 'PUT' || op.method === 'PATCH';
    return {
      service: op.service,
      stream: op.stream,
      method: op.method,
      url: url + (query.length ? `?${query.join('&')}` : ''),
      headers,
      body: hasBody ? body : undefined,
      hostileFields: chosen.filter((c) => c.hostile).map((c) => ({ field: c.f, mustName: c.hostile!.mustName })),
      forbiddenText: chosen.some((c) => holdsForbidden(c.value)),
      missingRequired: chosen.some((c) => c.value === undefined && c.f.required),
    };
  });
}

// ---- the system and its state ----

let t: Awaited<ReturnType<typeof systemWithUsers>>;
let databases: Database[];
let baseline = '';
let baselineXids = '';

/** Every table of a database, as one digest per table: equal digests, equal state. */
async function digest(db: Database): Promise<string> {
  const tables = (
    await db.query<{ name: string }>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name',
    )
  ).rows.map((r) => r.name);
  const parts = tables.map((name, i) => `(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM "${name}" x) AS t${i}`);
  const row = (await db.query<Record<string, string>>(`SELECT ${parts.join(', ')}`)).rows[0]!;
  return tables.map((name, i) => `${name}:${row[`t${i}`]}`).join(' ');
}
const state = async () => (await Promise.all(databases.map(digest))).join('\n');
/** The next transaction id of every database: unchanged, nothing was written. */
const nextXids = async () =>
  (
    await Promise.all(
      databases.map(async (db) => (await db.query<{ x: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x')).rows[0]!.x),
    )
  ).join(',');

/** After an accepted write the saga runs on: wait until no database writes any more, then take the state. */
async function settle() {
  let last = await nextXids();
  await eventually(
    async () => {
      await new Promise((r) => setTimeout(r, 120));
      const now = await nextXids();
      const pending = (await t.system.services.reservation.db.query("SELECT 1 FROM reservations WHERE status = 'PENDING'")).rowCount;
      const still = now === last && pending === 0;
      last = now;
      return still;
    },
    (still) => still,
    { timeoutMs: 60_000, everyMs: 0 },
  );
  baseline = await state();
  baselineXids = last;
}

beforeAll(async () => {
  t = await systemWithUsers();
  databases = [...Object.values(t.system.services).map((s) => s.db), t.system.busDb];
  for (const capacity of [5, 1])
    expect((await t.admin.post('/flights', { flightCode: `H${capacity}`, takeoffDate: '2027-01-01', cost: 100, capacity })).status).toBe(
      201,
    );
  await eventually(
    () => t.system.services.reservation.db.query('SELECT 1 FROM flight_catalog'),
    (q) => q.rowCount === 2,
  );
  expect((await t.alice.post('/reservations', { flightId: 1, seatQty: 2 })).status).toBe(201);
  expect((await t.bob.post('/reservations', { flightId: 2, seatQty: 1, card: '4000000000000002' })).status).toBe(201);
  await settle();
});
afterAll(async () => {
  await t?.system.stop();
});

type Send = (caller: string, g: Generated) => Promise<Answer>;

/** An event stream's answer: its status, then the stream is closed (it would not end). */
async function openStream(base: string, g: Generated, token?: string): Promise<Answer> {
  const closing = new AbortController();
  const res = await fetch(base + g.url, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), accept: 'text/event-stream', ...g.headers },
    signal: closing.signal,
  });
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    closing.abort();
    return { status: res.status, headers: res.headers, body: undefined };
  }
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function property(ops: Operation[], callers: string[], send: Send, numRuns: number) {
  await settle(); // what came before (another spec's writes) has finished
  const seen = new Map<number, number>();
  let writesAccepted = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...callers), fc.constantFrom(...ops).chain(request), async (caller, g) => {
      const violations = t.check.violations.length;
      const answer = await send(caller, g);
      seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
      const what = `${caller} ${g.method} ${JSON.stringify(g.url.length > 300 ? `${g.url.slice(0, 300)}…` : g.url)} ${JSON.stringify(g.headers)} ${JSON.stringify(g.body)?.slice(0, 300)} → ${answer.status} ${JSON.stringify(answer.body)?.slice(0, 300)}`;
      expect(answer.status, what).toBeLessThan(500);
      expect(t.check.violations.slice(violations), `${what}: not as the gateway's document says`).toEqual([]);

      // forbidden text or an impossible date in the only hostile field: a 400 that names it (the
      // gateway's caller must get that far: admin or straight to the service)
      const [only, ...more] = g.hostileFields;
      if (only?.mustName && more.length === 0 && !g.missingRequired && (caller === 'admin' || caller === 'internal')) {
        expect(answer.status, what).toBe(400);
        const { field } = only;
        const names = field.in === 'path' ? [field.name, 'path'] : [field.name];
        const named = String((answer.body as Json).field);
        expect(names, what).toContain(field.in === 'header' ? named.toLowerCase() : named); // a header is named in either case
      }
      // and whoever sends it: never accepted
      if (g.forbiddenText) expect(answer.status, what).toBeGreaterThanOrEqual(400);

      if (g.method === 'GET') return;
      if (answer.status >= 400) {
        const xids = await nextXids();
        if (xids !== baselineXids) {
          expect(await state(), `${what}: refused, yet written`).toBe(baseline);
          baselineXids = xids; // a transaction that rolled back takes an id and leaves nothing
        }
      } else if ((await nextXids()) !== baselineXids) {
        writesAccepted++;
        await settle();
      }
    }),
    { numRuns, endOnFailure: true },
  );
  return { seen, writesAccepted };
}

describe('booking limits', () => {
  it('a booking over a limit ends at once in a 4xx naming seatQty and the limit, and holds nothing', async () => {
    const flight = await t.admin.post('/flights', { flightCode: 'LIM1', takeoffDate: '2027-02-01', cost: 100, capacity: 40 });
    expect(flight.status).toBe(201);
    const flightId = flight.body.id as number;
    await eventually(
      () => t.system.services.reservation.db.query('SELECT 1 FROM flight_catalog WHERE flight_id = $1', [flightId]),
      (q) => q.rowCount === 1,
    );

    // the limits in force, on the reservation service (the gateway's policy table has no row of its own for it yet)
    expect((await gatewayClient(t.system.urls.reservation).get('/reservations/limits')).body).toEqual({
      maxSeatsPerBooking: 9,
      maxSeatsPerCustomerOnFlight: 18,
      maxAmount: 2_147_483_647,
    });

    const tooBig = await t.bob.post('/reservations', { flightId, seatQty: 10 });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body).toMatchObject({ field: 'seatQty', detail: expect.stringContaining('9') });
    for (const _ of [1, 2]) expect((await t.bob.post('/reservations', { flightId, seatQty: 9 })).status).toBe(201);
    const overHeld = await t.bob.post('/reservations', { flightId, seatQty: 1 });
    expect(overHeld.status).toBe(409);
    expect(overHeld.body).toMatchObject({ field: 'seatQty', code: 'CUSTOMER_SEAT_LIMIT', limit: 18, heldSeats: 18 });
    expect(overHeld.body.detail).toContain('maxSeatsPerCustomerOnFlight');
    // another customer still books; the refused ones hold no seat
    expect((await t.alice.post('/reservations', { flightId, seatQty: 2 })).status).toBe(201);
    const mine = await t.bob.get(`/reservations?flightId=${flightId}`);
    expect(mine.body.map((r: { seatQty: number }) => r.seatQty)).toEqual([9, 9]);
    await settle();
    const seats = await t.admin.get(`/flights/${flightId}/seats`);
    expect(seats.body.capacity - seats.body.remainingSeatsCount).toBe(20);
  });
});

describe('the bad input that got a 500 or was kept', () => {
  const cases: Array<[string, () => Promise<Answer>, string]> = [
    [
      'NUL in reserveDate',
      () => t.alice.post('/reservations', { flightId: 1, seatQty: 1, reserveDate: '2024-11-21\u0000' }),
      'reserveDate',
    ],
    [
      'a lone surrogate in reserveDate',
      () => t.alice.post('/reservations', { flightId: 1, seatQty: 1, reserveDate: '2024-11-21\ud800' }),
      'reserveDate',
    ],
    ['2024-02-30', () => t.alice.post('/reservations', { flightId: 1, seatQty: 1, reserveDate: '2024-02-30' }), 'reserveDate'],
    ['0000-01-01', () => t.alice.post('/reservations', { flightId: 1, seatQty: 1, reserveDate: '0000-01-01' }), 'reserveDate'],
    [
      'a takeoff on 2027-02-29',
      () => t.admin.post('/flights', { flightCode: 'X1', takeoffDate: '2027-02-29', cost: 1, capacity: 1 }),
      'takeoffDate',
    ],
    ['NUL in the username', () => t.anonymous.post('/auth/login', { username: 'admin\u0000', password: 'admin-password-1' }), 'username'],
    [
      '22 seats at 100,000,000 (the amount would overflow)',
      () => t.admin.post('/reservations', { customerId: 3, flightId: 1, seatQty: 22 }),
      'seatQty',
    ],
  ];
  it.each(cases)('%s: 400 naming the field, nothing written', async (_name, send, field) => {
    await settle();
    const answer = await send();
    expect(answer.status).toBe(400);
    expect(answer.body.field).toBe(field);
    if ((await nextXids()) !== baselineXids) expect(await state()).toBe(baseline);
  });
});

describe('methods and paths', () => {
  it('a wrong method is 405 with Allow, on a service port and through the gateway', async () => {
    const direct = await gatewayClient(t.system.urls.reservation).call('PUT', '/reservations/1');
    expect(direct.status).toBe(405);
    expect(direct.headers.get('allow')).toBe('DELETE, GET, HEAD');
    const forwarded = await t.admin.call('PUT', '/reservations/1');
    expect(forwarded.status).toBe(405);
    expect(forwarded.headers.get('allow')).toBe('DELETE, GET, HEAD');
    // for everyone: a method the public API does not have is not a question of who asks
    for (const caller of [t.alice, t.anonymous]) {
      const refused = await caller.call('PUT', '/reservations/1');
      expect(refused.status).toBe(405);
      expect(refused.headers.get('allow')).toBe('DELETE, GET, HEAD');
    }
    expect((await t.alice.call('DELETE', '/flights')).headers.get('allow')).toBe('GET, HEAD, POST');
    const own = await t.anonymous.call('PATCH', '/auth/login');
    expect(own.status).toBe(405);
    expect(own.headers.get('allow')!.split(', ')).toContain('POST'); // and GET: the web UI answers any path
    expect(own.headers.get('content-type')).toContain('application/problem+json');
  });

  it('a trailing slash names the same resource: /reservations/ is the list', async () => {
    const direct = await gatewayClient(t.system.urls.reservation).get('/reservations/');
    expect(direct.status).toBe(200);
    expect(Array.isArray(direct.body)).toBe(true);
    const mine = await t.alice.get('/reservations/');
    expect(mine.status).toBe(200);
    expect(mine.body.length).toBeGreaterThan(0);
    expect(mine.body.every((r: { customerId: number }) => r.customerId === 1)).toBe(true);
    expect((await t.alice.get('/reservations')).body).toEqual(mine.body);
    expect((await gatewayClient(t.system.urls.flight).get('/flights/1/')).body).toMatchObject({ id: 1 });
  });
});

describe('every route, every field, hostile values', () => {
  it('through the gateway: 1,300 requests as staff, a customer and anonymous', async () => {
    const ops = operationsOf(t.system.gateway.openapi());
    expect(ops.length).toBeGreaterThan(25);
    const clients: Record<string, GatewayClient> = { admin: t.admin, alice: t.alice, anonymous: t.anonymous };
    const { seen, writesAccepted } = await property(
      ops,
      ['admin', 'admin', 'alice', 'anonymous'],
      (caller, g) =>
        g.stream
          ? openStream(t.system.urls.gateway, g, clients[caller]!.token)
          : clients[caller]!.call(g.method, g.url, g.body, { headers: g.headers }),
      1_300,
    );
    for (const status of [200, 400, 401, 404]) expect(seen.get(status) ?? 0, `answers with ${status}`).toBeGreaterThan(0);
    expect(writesAccepted).toBeGreaterThan(0);
    expect(t.check.violations).toEqual([]);
  });

  it('straight to the service ports: 900 requests to every service route', async () => {
    // each service's own document (checked in beside it, and kept true by scripts/service-openapi.unit.spec.ts)
    const services = [...new Set(routes.map((row) => row.service))];
    const ops = services.flatMap((service) => operationsOf(checkedInDocument(service), service));
    expect(ops.length).toBeGreaterThan(25);
    const urls = t.system.urls as Record<string, string>;
    const { seen } = await property(
      ops,
      ['internal'],
      (_caller, g) =>
        g.stream
          ? openStream(urls[g.service!]!, g)
          : gatewayClient(urls[g.service!]!).call(g.method, g.url, g.body, { headers: g.headers }),
      900,
    );
    for (const status of [200, 400, 404]) expect(seen.get(status) ?? 0, `answers with ${status}`).toBeGreaterThan(0);
  });
});
