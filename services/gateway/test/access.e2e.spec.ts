// Who may do what through the gateway (SPEC Security), on the whole embedded system: signing in, the
// tokens that are refused, staff-only endpoints, customers kept to their own data, the seeds' demo
// with a bearer token, and the OpenAPI document every response here is checked against.
import SwaggerParser from '@apidevtools/swagger-parser';
import { createLocalJWKSet, generateKeyPair, jwtVerify, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@airline/testing';
import type { GatewayClient } from './support/client.js';
import { systemWithUsers, USERS } from './support/system.js';

let t: Awaited<ReturnType<typeof systemWithUsers>>;
beforeAll(async () => {
  t = await systemWithUsers();
});
afterAll(async () => {
  await t?.system.stop();
});

const settled = (api: GatewayClient, id: number) =>
  eventually(
    () => api.get(`/reservations/${id}`),
    (r) => r.status === 200 && r.body.status !== 'PENDING',
  );
/** A 404 with its id taken out: what one customer learns about another's resource vs. a missing one. */
const shape = (body: { detail?: string; instance?: string }) => ({
  ...body,
  detail: body.detail?.replace(/\S+ does not exist/, 'X does not exist'),
  instance: body.instance?.replace(/\/[^/]+(\/[a-z]+)?$/, '/X$1'),
});

async function bookable(api: GatewayClient, seats: number, cost = 100) {
  const f = await api.post('/flights', { flightCode: `T${seats}`, takeoffDate: '2026-12-24', cost, capacity: seats });
  expect(f.status).toBe(201);
  // the reservation service books against its own copy of the catalog (FlightRegistered)
  await eventually(
    () => t.system.services.reservation.db.query('SELECT 1 FROM flight_catalog WHERE flight_id = $1', [f.body.id]),
    (q) => q.rowCount === 1,
  );
  return f.body as { id: number };
}

describe("the seeds' demo through the gateway, with a bearer token", () => {
  it('admin registers flight 1, customer 1 gets 3 seats, customer 2 is sold out, 2 seats remain', async () => {
    const { admin, alice, bob } = t;
    // the seeds' bodies as httpie sends them (strings), id and status included: not trusted
    const flight = await admin.post('/flights', {
      remainingSeatsCount: '5',
      flightCode: 'ACE890',
      takeoffDate: '2025-12-25',
      cost: '200000',
    });
    expect(flight.status).toBe(201);
    expect(flight.body.id).toBe(1);
    await eventually(
      () => t.system.services.reservation.db.query('SELECT 1 FROM flight_catalog WHERE flight_id = 1'),
      (q) => q.rowCount === 1,
    );
    const first = await alice.post('/reservations', {
      customerId: '1',
      flightId: '1',
      seatQty: '3',
      reserveDate: '2024-11-21',
      status: 'SUCCEED',
    });
    expect(first.body).toMatchObject({ id: 1, customerId: 1, status: 'PENDING' });
    await settled(alice, 1);
    const second = await bob.post('/reservations', {
      customerId: '2',
      flightId: '1',
      seatQty: '3',
      reserveDate: '2024-11-22',
      status: 'SUCCEED',
    });
    expect(second.body).toMatchObject({ customerId: 2, status: 'PENDING' });
    await settled(bob, second.body.id);
    const all = await admin.get<any[]>('/reservations');
    expect(all.body.map((r) => [r.id, r.customerId, r.status, r.cancelReason])).toEqual([
      [1, 1, 'CONFIRMED', null],
      [2, 2, 'CANCELED', 'SOLD_OUT'],
    ]);
    expect((await t.anonymous.get('/flights')).body).toMatchObject([{ id: 1, flightCode: 'ACE890', remainingSeatsCount: 2 }]);
    const infos = await eventually(
      () => admin.get<any[]>('/customerInfos'),
      (r) => r.status === 200 && r.body.length === 2,
    );
    expect(infos.body).toMatchObject([
      { customerId: 1, flightCount: 1 },
      { customerId: 2, flightCount: 1 },
    ]);
  });
});

describe('signing in', () => {
  it('answers a bearer token, its lifetime and the user; the token verifies against the published JWKS', async () => {
    const login = await t.anonymous.post('/auth/login', { username: 'alice', password: USERS.alice.password });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({
      token: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 3600,
      user: { username: 'alice', role: 'customer', customerId: 1 },
    });
    const jwks = await t.anonymous.get('/.well-known/jwks.json');
    expect(jwks.body.keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })]);
    expect(jwks.body.keys[0]).not.toHaveProperty('d'); // the private part never leaves
    const { payload } = await jwtVerify(login.body.token, createLocalJWKSet(jwks.body), {
      issuer: 'airline-gateway',
      audience: 'airline-api',
    });
    expect(payload).toMatchObject({ sub: 'alice', role: 'customer', customerId: 1 });
  });

  it('refuses a wrong password and an unknown user alike (401, nothing told about which)', async () => {
    const wrong = await t.anonymous.post('/auth/login', { username: 'alice', password: 'not-her-password' });
    const unknown = await t.anonymous.post('/auth/login', { username: 'nobody', password: 'whatever' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('GET /auth/me answers the user the token is for', async () => {
    expect((await t.bob.get('/auth/me')).body).toEqual({ username: 'bob', role: 'customer', customerId: 2 });
    expect((await t.admin.get('/auth/me')).body).toEqual({ username: 'admin', role: 'admin', customerId: null });
  });
});

describe('tokens that are refused (401)', () => {
  const refused = async (authorization: string | undefined) => {
    const r = await t.anonymous.get('/reservations', { headers: authorization ? { authorization } : {} });
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="airline"/);
    return r.body.detail as string;
  };
  const aliceToken = async () =>
    (await t.anonymous.post('/auth/login', { username: 'alice', password: USERS.alice.password })).body.token as string;

  it('no token', async () => {
    expect(await refused(undefined)).toMatch(/needs a bearer token/);
  });

  it('not a bearer token, or not a JWT', async () => {
    await refused('Basic YWxpY2U6cHc=');
    await refused('Bearer not-a-jwt');
  });

  it('tampered: the payload changed to admin, the signature kept', async () => {
    const [header, payload, signature] = (await aliceToken()).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin', customerId: null })).toString('base64url');
    expect(await refused(`Bearer ${header}.${forged}.${signature}`)).toMatch(/signature/);
  });

  it('expired', async () => {
    const { token } = await t.system.gateway.tokens.issue({ username: 'alice', role: 'customer', customerId: 1 }, -60);
    expect(await refused(`Bearer ${token}`)).toMatch(/expired/);
  });

  it('from an issuer the gateway does not trust, or signed by a key it does not know', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const sign = (issuer: string) =>
      new SignJWT({ role: 'admin', customerId: null })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(issuer)
        .setAudience('airline-api')
        .setSubject('mallory')
        .setExpirationTime('5m')
        .sign(privateKey);
    expect(await refused(`Bearer ${await sign('https://issuer.example')}`)).toMatch(/issuer/);
    expect(await refused(`Bearer ${await sign('airline-gateway')}`)).toMatch(/signature|key/);
  });

  it('unsigned (alg none)', async () => {
    const unsigned = new UnsecuredJWT({ role: 'admin', customerId: null })
      .setIssuer('airline-gateway')
      .setAudience('airline-api')
      .setSubject('admin')
      .setExpirationTime('5m')
      .encode();
    await refused(`Bearer ${unsigned}`);
  });
});

describe('staff-only endpoints', () => {
  it('a customer gets 403 on flight admin, dashboards, dead letters and anything unlisted; nothing changes', async () => {
    const { alice, admin } = t;
    const before = await admin.get('/flights');
    const attempts = [
      alice.post('/flights', { flightCode: 'X1', takeoffDate: '2026-01-01', cost: 1, capacity: 1 }),
      alice.post('/flights/1/cancel'),
      alice.get('/customerInfos'),
      alice.get('/customerInfos/1'),
      alice.get('/flightBoard'),
      alice.get('/flightBoard/1'),
      alice.get('/dead-letters'),
      alice.get('/dead-letters/flight'),
      alice.post('/dead-letters/flight/redrive', {}),
      alice.get('/payments/processor'),
      alice.get('/reservations/limits'),
      alice.post('/payments/1/retry-refund'),
      alice.get('/metrics'),
      alice.get('/health/ready'),
      alice.get('/flights/1/not-in-the-policy-table'),
    ];
    for (const r of await Promise.all(attempts)) {
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ title: 'Forbidden', status: 403 });
    }
    expect((await admin.get('/flights')).body).toEqual(before.body);
  });

  it('anonymous callers get 401 there, and admins get through', async () => {
    expect((await t.anonymous.get('/customerInfos')).status).toBe(401);
    expect((await t.anonymous.post('/flights', {})).status).toBe(401);
    for (const path of [
      '/customerInfos',
      '/flightBoard',
      '/dead-letters',
      '/dead-letters/reservation',
      '/payments/processor',
      '/reservations/limits',
    ]) {
      expect((await t.admin.get(path)).status, path).toBe(200);
    }
  });

  it('the flight catalog is public', async () => {
    expect((await t.anonymous.get('/flights')).status).toBe(200);
    expect((await t.anonymous.get('/flights/1')).status).toBe(200);
    expect((await t.anonymous.get('/flights/1/seats')).status).toBe(200);
    expect((await t.anonymous.get('/sandbox/test-cards')).body).toContainEqual({
      card: '4000000000000002',
      outcome: 'card_declined',
      description: expect.any(String),
    });
  });

  it("airports are public (the search form suggests them); passengers are named later by their booking's customer only", async () => {
    const found = await t.anonymous.get('/airports?q=ICN');
    expect(found.status).toBe(200);
    expect(found.body[0]).toMatchObject({ code: 'ICN' });
    expect((await t.anonymous.get('/airports/ICN')).status).toBe(200);
    const flight = await bookable(t.admin, 2);
    const booked = await t.alice.post('/reservations', { customerId: 1, flightId: flight.id, seatQty: 2 });
    const minji = { givenName: 'Minji', familyName: 'Kim' };
    const named = await t.alice.put(`/reservations/${booked.body.id}/passengers`, { passengers: [minji] });
    expect(named.status).toBe(200);
    expect(named.body.passengers[0]).toMatchObject(minji); // the second seat stays to be named
    const notHers = await t.bob.put(`/reservations/${booked.body.id}/passengers`, {
      passengers: [{ givenName: 'Eve', familyName: 'Mallory' }],
    });
    expect(notHers.status).toBe(404);
    expect((await t.alice.get(`/reservations/${booked.body.id}`)).body.passengers[0]).toMatchObject(minji);
  });

  it('a card is swapped for a token before booking, as hosted card fields do: the booking carries the token and the last four', async () => {
    const flight = await bookable(t.admin, 3);
    const token = await t.anonymous.post('/sandbox/payment-methods', { card: '5555555555554444' });
    expect(token.status).toBe(201);
    expect(token.body).toMatchObject({ id: expect.stringMatching(/^pm_/), brand: 'mastercard', last4: '4444' });
    const booked = await t.alice.post('/reservations', { customerId: 1, flightId: flight.id, seatQty: 1, paymentMethod: token.body.id });
    expect(booked.status).toBe(201);
    expect(booked.body.cardLast4).toBe('4444');
    expect((await settled(t.alice, booked.body.id)).body.status).toBe('CONFIRMED');
    // a number the card rule refuses is a 400 naming it, from the gateway or the processor alike
    for (const card of ['4242424242424241', '12345', '4242 4242 4242 4242']) {
      const refused = await t.anonymous.post('/sandbox/payment-methods', { card });
      expect(refused.status, card).toBe(400);
      expect(refused.body.field, card).toBe('card');
    }
  });
});

describe('customers act as themselves and see only their own', () => {
  let flightId: number;
  let bobs: { id: number; bookingReference: string };
  let alices: { id: number };
  beforeAll(async () => {
    flightId = (await bookable(t.admin, 20)).id;
    const b = await t.bob.post('/reservations', { flightId, seatQty: 1 });
    expect(b.status).toBe(201);
    bobs = b.body;
    // alice names bob as the customer: the token wins
    const a = await t.alice.post('/reservations', { customerId: 2, flightId, seatQty: 2 });
    expect(a.status).toBe(201);
    alices = a.body;
    await settled(t.admin, bobs.id);
    await settled(t.admin, alices.id);
  });

  it("a booking's customerId comes from the token, not the body", async () => {
    expect((await t.admin.get(`/reservations/${alices.id}`)).body.customerId).toBe(1);
  });

  it("lists are filtered to the caller's own, whatever customerId the query names", async () => {
    const mine = await t.alice.get<any[]>('/reservations?customerId=2');
    expect(mine.body.length).toBeGreaterThan(0);
    expect(mine.body.every((r) => r.customerId === 1)).toBe(true);
    const payments = await eventually(
      () => t.alice.get<any[]>('/payments?customerId=2&customerId=3'),
      (r) => r.body.length > 0,
    );
    expect(payments.body.every((p) => p.customerId === 1)).toBe(true);
    const all = await t.admin.get<any[]>(`/reservations?flightId=${flightId}`);
    expect(new Set(all.body.map((r) => r.customerId))).toEqual(new Set([1, 2]));
  });

  it("another customer's reservation is 404, word for word like one that does not exist", async () => {
    const foreign = await t.alice.get(`/reservations/${bobs.id}`);
    const missing = await t.alice.get('/reservations/999999');
    expect(foreign.status).toBe(404);
    expect(shape(foreign.body)).toEqual(shape(missing.body));
    expect((await t.alice.get(`/reservations/by-reference/${bobs.bookingReference}`)).status).toBe(404);
    expect((await t.alice.get(`/reservations/${bobs.id}/timeline`)).status).toBe(404);
    expect((await t.alice.get(`/reservations/${alices.id}/timeline`)).status).toBe(200);
  });

  it("cancelling another customer's reservation is 404 and cancels nothing", async () => {
    const before = (await t.admin.get(`/reservations/${bobs.id}`)).body;
    const viaPost = await t.alice.post(`/reservations/${bobs.id}/cancel`);
    const viaDelete = await t.alice.delete(`/reservations/${bobs.id}`);
    const missing = await t.alice.post('/reservations/999999/cancel');
    expect([viaPost.status, viaDelete.status]).toEqual([404, 404]);
    expect(shape(viaPost.body)).toEqual(shape(missing.body));
    expect((await t.admin.get(`/reservations/${bobs.id}`)).body).toEqual(before);
  });

  it("another customer's payment is 404", async () => {
    const bobsPayments = await eventually(
      () => t.bob.get<any[]>('/payments'),
      (r) => r.body.length > 0,
    );
    const foreign = await t.alice.get(`/payments/${bobsPayments.body[0].id}`);
    expect(foreign.status).toBe(404);
    expect(shape(foreign.body)).toEqual(shape((await t.alice.get('/payments/999999')).body));
    expect((await t.bob.get(`/payments/${bobsPayments.body[0].id}`)).status).toBe(200);
  });

  it("another customer's mileage is 404, however the id is spelled", async () => {
    await eventually(
      () => t.bob.get('/mileages/2'),
      (r) => r.status === 200 && r.body.balance > 0,
    );
    for (const path of ['/mileages/2', '/mileages/2/ledger', '/mileages/02', '/mileages/2.0', '/mileages/%202']) {
      const r = await t.alice.get(path);
      expect(r.status, path).toBe(404);
    }
    expect((await t.alice.get('/mileages/1')).body).toMatchObject({ customerId: 1 });
    expect((await t.alice.get('/mileages/1/ledger')).status).toBe(200);
    expect((await t.admin.get('/mileages/2')).body).toMatchObject({ customerId: 2 });
  });

  it("another customer's notifications are filtered out or 404", async () => {
    const bobsNotes = await eventually(
      () => t.bob.get<any[]>('/notifications'),
      (r) => r.body.length > 0,
    );
    expect(bobsNotes.body.every((n) => n.customerId === 2)).toBe(true);
    const seenByAlice = await t.alice.get<any[]>('/notifications?customerId=2');
    expect(seenByAlice.body.length).toBeGreaterThan(0);
    expect(seenByAlice.body.every((n) => n.customerId === 1)).toBe(true);
    expect((await t.alice.get(`/notifications/${bobsNotes.body[0].id}`)).status).toBe(404);
    expect((await t.bob.get(`/notifications/${bobsNotes.body[0].id}`)).status).toBe(200);
  });

  it("the live notification stream (SSE) is the caller's own, whatever customerId the query names", async () => {
    const res = await fetch(`${t.system.urls.gateway}/notifications/stream?customerId=2`, {
      headers: { authorization: `Bearer ${t.alice.token}`, accept: 'text/event-stream' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('\n\n')) text += (await reader.read()).value ?? '';
    await reader.cancel();
    expect(text).toContain('stream of notifications for customer 1');
    expect((await fetch(`${t.system.urls.gateway}/notifications/stream`, { headers: { accept: 'text/event-stream' } })).status).toBe(401);
  });

  it("the reservation history is the caller's own", async () => {
    const history = await eventually(
      () => t.alice.get<any[]>('/reservationHistory?customerId=2'),
      (r) => r.status === 200 && r.body.length > 0,
    );
    expect(history.body.every((h) => h.customerId === 1)).toBe(true);
  });

  it('an Idempotency-Key belongs to its caller: the same key from two customers books twice', async () => {
    const key = { headers: { 'idempotency-key': 'same-key-for-both' } };
    const a1 = await t.alice.post('/reservations', { flightId, seatQty: 1 }, key);
    const a2 = await t.alice.post('/reservations', { flightId, seatQty: 1 }, key);
    const b1 = await t.bob.post('/reservations', { flightId, seatQty: 1 }, key);
    expect([a1.status, a2.status, b1.status]).toEqual([201, 201, 201]);
    expect(a2.body.id).toBe(a1.body.id);
    expect(b1.body.id).not.toBe(a1.body.id);
    expect(b1.body.customerId).toBe(2);
  });
});

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document, served at /docs/json and /openapi.json, with Swagger UI at /docs', async () => {
    const served = await t.anonymous.get('/docs/json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual((await t.anonymous.get('/openapi.json')).body);
    await expect(SwaggerParser.validate(structuredClone(served.body))).resolves.toBeTruthy();
    const ui = await fetch(`${t.system.urls.gateway}/docs/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger-ui/);
    const asyncapi = await t.anonymous.get('/docs/asyncapi.json');
    expect(asyncapi.body).toMatchObject({ asyncapi: '3.0.0', channels: { ReservationPlaced: expect.any(Object) } });
  });

  it('says for every operation who may call it', async () => {
    const doc = t.system.gateway.openapi();
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );
    expect(ops.length).toBeGreaterThan(25);
    for (const { path, method, op } of ops) {
      expect(op.security, `${method} ${path}`).toBeDefined();
      expect(op.responses['429'], `${method} ${path}`).toBeDefined();
    }
    expect(doc.paths['/flights']!.post!.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/flights']!.get!.security).toEqual([]);
    expect(doc.paths['/reservations']!.post!.requestBody.content['application/json'].schema.required).toEqual([
      'customerId',
      'flightId',
      'seatQty',
    ]);
  });

  it('describes every response seen in this file', () => {
    expect(t.check.violations).toEqual([]);
    // the one call outside the document: an unlisted path, closed to all but staff
    expect(t.check.undocumented).toEqual(['GET /flights/1/not-in-the-policy-table → 403']);
    expect(t.check.checked).toBeGreaterThan(80);
  });
});
