// Generated hostile input (fast-check) against every write and every query parameter of the public
// API, as admin, as a customer and anonymously: wrong types, huge numbers, unicode, injection strings,
// deep JSON, malformed and oversized bodies. Whatever comes in: never a 5xx, never a change of state for
// a request that was refused (every table of every database compared before and after), and every
// answer as the OpenAPI document describes it. The same inputs go to the service ports directly
// (internal access, no gateway in front): the services must hold on their own.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@airline/database';
import { eventually } from '@airline/testing';
import { gatewayClient, type Answer, type GatewayClient } from './support/client.js';
import { systemWithUsers } from './support/system.js';

const INJECTIONS = [
  "' OR '1'='1",
  '1; DROP TABLE reservations; --',
  '1 UNION SELECT password_hash FROM users',
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as plain text
  '${7*7}{{7*7}}',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  '\\u0000',
  '{"$gt": ""}',
  '__proto__',
  'constructor',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '0x10',
  ' 1',
  '１',
  '١',
  '\u202e1',
  '😀',
  'A'.repeat(300),
];

const hugeNumbers = fc.constantFrom(
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 53,
  Number.MAX_SAFE_INTEGER + 2,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  -1,
  0,
  0.5,
  1e-7,
);
const numericText = fc.constantFrom('1', '01', '1.0', '1e3', '+1', '-1', '99999999999999999999', '2147483648', '0', ' 2', '3 ', '1,2');
const scalar = fc.oneof(
  fc.integer(),
  fc.double(),
  hugeNumbers,
  numericText,
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...INJECTIONS),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 3 }) },
);

/** A body: the endpoint's fields with hostile values (some valid ones mixed in), or something that is not such an object at all. */
const body = (fields: Record<string, fc.Arbitrary<unknown>>, bodyLimit: number) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .record(Object.fromEntries(Object.entries(fields).map(([k, valid]) => [k, fc.oneof(value, valid)])), { requiredKeys: [] })
        .chain((o) =>
          fc
            .dictionary(fc.constantFrom('id', 'status', '__proto__', 'constructor', 'extra'), value, { maxKeys: 2 })
            .map((extra) => JSON.stringify({ ...extra, ...o })),
        ),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.integer({ min: 30, max: 4_000 }).map((n) => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('{', '{"a":1,}', '[1,2', 'null', '""', '[]', 'true', "{'a':1}", '{"__proto__":{"x":1}}', '\u0000'),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: bodyLimit + 1, max: bodyLimit * 4 }).map((n) => JSON.stringify({ flightCode: 'X'.repeat(n) })),
    },
  );
const param = fc
  .oneof(
    fc.integer({ min: -5, max: 40 }).map(String),
    numericText,
    fc.constantFrom(...INJECTIONS),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    hugeNumbers.map(String),
  )
  .map(encodeURIComponent);
const query = (keys: string[]) =>
  fc
    .dictionary(
      fc.constantFrom(...keys),
      fc.oneof(
        scalar.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
        numericText,
      ),
      { maxKeys: keys.length },
    )
    .map((q) => {
      const search = new URLSearchParams(q as Record<string, string>).toString();
      return search ? `?${search}` : '';
    });
const idempotencyKey = fc.option(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 260 }),
  { nil: undefined },
);

const validFlight = {
  flightCode: fc.constant('HX1'),
  takeoffDate: fc.constant('2027-01-01'),
  cost: fc.integer({ min: 0, max: 1000 }),
  capacity: fc.integer({ min: 0, max: 5 }),
  remainingSeatsCount: fc.integer({ min: 0, max: 5 }),
};
const validBooking = {
  customerId: fc.integer({ min: 1, max: 3 }),
  flightId: fc.integer({ min: 1, max: 3 }),
  seatQty: fc.integer({ min: 1, max: 3 }),
  reserveDate: fc.constant('2026-12-01'),
  card: fc.constantFrom('4242424242424242', '4000000000000002'),
};

interface Request {
  method: string;
  path: string;
  raw?: string;
  headers: Record<string, string>;
}

/** Every write and every query of the public API, with hostile parts. */
function requests(bodyLimit: number): fc.Arbitrary<Request> {
  const withKey = (r: fc.Arbitrary<Omit<Request, 'headers'>>): fc.Arbitrary<Request> =>
    fc
      .tuple(r, idempotencyKey)
      .map(([req, key]) => ({ ...req, headers: key === undefined ? ({} as Record<string, string>) : { 'idempotency-key': key } }));
  const post = (path: fc.Arbitrary<string>, fields: Record<string, fc.Arbitrary<unknown>>) =>
    withKey(fc.tuple(path, body(fields, bodyLimit)).map(([p, raw]) => ({ method: 'POST', path: p, raw })));
  const bare = (method: string, path: fc.Arbitrary<string>) => withKey(path.map((p) => ({ method, path: p })));
  const get = (path: fc.Arbitrary<string>): fc.Arbitrary<Request> => path.map((p) => ({ method: 'GET', path: p, headers: {} }));
  return fc.oneof(
    post(fc.constant('/auth/login'), { username: fc.constantFrom('admin', 'alice'), password: fc.constant('admin-password-1') }),
    post(fc.constant('/flights'), validFlight),
    post(fc.constant('/reservations'), validBooking),
    post(fc.constantFrom('/dead-letters/flight/redrive', '/dead-letters/payment/redrive'), {
      ids: fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 3 }),
    }),
    post(
      param.map((id) => `/flights/${id}/cancel`),
      {},
    ),
    post(
      param.map((id) => `/reservations/${id}/cancel`),
      {},
    ),
    bare(
      'POST',
      param.map((id) => `/flights/${id}/cancel`),
    ),
    bare(
      'DELETE',
      param.map((id) => `/reservations/${id}`),
    ),
    bare(
      'PUT',
      param.map((id) => `/reservations/${id}`),
    ),
    bare(
      'DELETE',
      param.map((id) => `/flights/${id}`),
    ),
    get(query(['customerId', 'flightId', 'status', 'limit', 'after']).map((q) => `/reservations${q}`)),
    get(query(['customerId', 'reservationId', 'limit', 'after']).map((q) => `/payments${q}`)),
    get(query(['customerId', 'reservationId', 'kind', 'limit', 'after']).map((q) => `/notifications${q}`)),
    get(query(['customerId', 'reservationId', 'limit']).map((q) => `/reservationHistory${q}`)),
    get(fc.tuple(param, query(['limit', 'after'])).map(([id, q]) => `/mileages/${id}/ledger${q}`)),
    get(
      fc
        .tuple(
          fc.constantFrom(
            '/flights/',
            '/reservations/',
            '/reservations/by-reference/',
            '/payments/',
            '/notifications/',
            '/mileages/',
            '/customerInfos/',
            '/flightBoard/',
            '/flights/:/seats',
            '/reservations/:/timeline',
          ),
          param,
        )
        .map(([prefix, id]) => (prefix.includes(':') ? prefix.replace(':', id) : prefix + id)),
    ),
  );
}

/** Every table of a database, as one digest per table: equal digests, equal state. */
async function digest(db: Database): Promise<string> {
  const tables = (
    await db.query<{ name: string }>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name',
    )
  ).rows.map((r) => r.name);
  const parts = tables.map((t) => `(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM "${t}" x)`);
  const row = (await db.query<Record<string, string>>(`SELECT ${parts.map((p, i) => `${p} AS t${i}`).join(', ')}`)).rows[0]!;
  return tables.map((t, i) => `${t}:${row[`t${i}`]}`).join(' ');
}

let t: Awaited<ReturnType<typeof systemWithUsers>>;
let databases: Array<[string, Database]>;
const state = async () => (await Promise.all(databases.map(async ([name, db]) => `${name}{${await digest(db)}}`))).join('\n');

/** After an accepted write the saga runs on: wait until nothing moves any more. */
async function quiet() {
  let last = '';
  await eventually(
    async () => {
      const pending = await t.system.services.reservation.db.query("SELECT 1 FROM reservations WHERE status = 'PENDING'");
      const now = pending.rowCount === 0 ? await state() : `pending ${Date.now()}`;
      const stable = now === last;
      last = now;
      return stable;
    },
    (stable) => stable,
    { timeoutMs: 60_000, everyMs: 300 },
  );
}

beforeAll(async () => {
  t = await systemWithUsers();
  databases = [...Object.entries(t.system.services).map(([name, s]) => [name, s.db] as [string, Database]), ['event-log', t.system.busDb]];
  // something to aim at: flights, and reservations of two customers in every state
  for (const capacity of [5, 1])
    expect((await t.admin.post('/flights', { flightCode: `H${capacity}`, takeoffDate: '2027-01-01', cost: 100, capacity })).status).toBe(
      201,
    );
  await eventually(
    () => t.system.services.reservation.db.query('SELECT 1 FROM flight_catalog'),
    (q) => q.rowCount === 2,
  );
  expect((await t.alice.post('/reservations', { flightId: 1, seatQty: 2 })).status).toBe(201);
  expect((await t.bob.post('/reservations', { flightId: 2, seatQty: 3 })).status).toBe(201);
  expect((await t.bob.post('/reservations', { flightId: 1, seatQty: 1, card: '4000000000000002' })).status).toBe(201);
  await quiet();
});
afterAll(async () => {
  await t?.system.stop();
});

async function property(send: (caller: string, r: Request) => Promise<Answer>, callers: string[], bodyLimit: number, numRuns: number) {
  const seen = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...callers), requests(bodyLimit), async (caller, r) => {
      const before = await state();
      const answer = await send(caller, r);
      seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
      expect(
        answer.status,
        `${caller} ${r.method} ${r.path} ${r.raw?.slice(0, 200) ?? ''} → ${JSON.stringify(answer.body)?.slice(0, 300)}`,
      ).toBeLessThan(500);
      if (answer.status >= 400) {
        expect(await state(), `${caller} ${r.method} ${r.path} was refused (${answer.status}) but changed state`).toBe(before);
      } else if (r.method !== 'GET') {
        await quiet();
      }
    }),
    { numRuns, endOnFailure: true },
  );
  return seen;
}

describe('hostile input', () => {
  it('a dot segment is resolved before sending: GET /reservations/. asks for the list, and is checked as the list', async () => {
    const before = t.check.checked;
    for (const path of ['/reservations/.', '/reservations/%2e', '/reservations/']) {
      const answer = await t.admin.call('GET', path);
      expect(answer.status, path).toBe(200);
      expect(Array.isArray(answer.body), path).toBe(true);
    }
    expect(t.check.checked - before).toBe(3);
    expect(t.check.violations).toEqual([]);
  });

  it("an over-long id is the route's, answered 414 by its service, for customers too (not the closed catch-all's 403)", async () => {
    for (const client of [t.alice, t.admin]) {
      const answer = await client.call('GET', `/flights/${'A'.repeat(300)}`);
      expect(answer.status).toBe(414);
    }
    expect(t.check.violations).toEqual([]);
  });

  it('through the gateway: 1,200 generated requests, never a 5xx, refused ones change nothing, all as documented', async () => {
    const clients: Record<string, GatewayClient> = { admin: t.admin, alice: t.alice, anonymous: t.anonymous };
    const seen = await property(
      (caller, r) => clients[caller]!.call(r.method, r.path, undefined, { raw: r.raw, headers: r.headers }),
      Object.keys(clients),
      16 * 1024,
      1_200,
    );
    // the generated inputs reach the refusals that matter, and some get through
    for (const status of [400, 401, 403, 404, 413]) expect(seen.get(status) ?? 0, `answers with ${status}`).toBeGreaterThan(0);
    expect(t.check.violations).toEqual([]);
    expect(t.check.checked).toBeGreaterThan(1_000);
  });

  it('straight to the services (internal access): 600 generated requests, never a 5xx, refused ones change nothing', async () => {
    const { urls } = t.system;
    const owner = (path: string) =>
      path.startsWith('/flights')
        ? urls.flight
        : path.startsWith('/reservationHistory') || path.startsWith('/customerInfos') || path.startsWith('/flightBoard')
          ? urls.dashboard
          : path.startsWith('/reservations')
            ? urls.reservation
            : path.startsWith('/payments')
              ? urls.payment
              : path.startsWith('/mileages')
                ? urls.mileage
                : path.startsWith('/notifications')
                  ? urls.notification
                  : path.startsWith('/dead-letters/payment')
                    ? urls.payment
                    : urls.flight;
    const direct = (r: Request) => {
      // the services' own paths: dead letters without the gateway's service segment
      const path = r.path.replace(/^\/dead-letters\/[a-z]+\//, '/dead-letters/');
      return gatewayClient(owner(r.path)).call(r.method, path, undefined, { raw: r.raw, headers: r.headers });
    };
    await property((_caller, r) => direct(r), ['internal'], 64 * 1024, 600);
  });
});
