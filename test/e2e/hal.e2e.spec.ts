// The write-ups' clients (issue 14): written against Spring Data REST, they speak HAL. A real HAL client
// (ketting) starts from the root resource and follows links to the flights and the reservations, on the
// service ports and through the gateway signed in; pages honour page, size and sort; plain JSON stays
// the default.
import { Client } from 'ketting';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http } from '@airline/testing';
import { startEmbeddedSystem, FREE_PORTS, type EmbeddedSystem } from '../../runtime/system.js';

const customer = { username: 'hal-reader', password: 'correct horse battery staple', role: 'customer' as const, customerId: 4 };
let system: EmbeddedSystem;
let token: string;
beforeAll(async () => {
  system = await startEmbeddedSystem({ ports: FREE_PORTS, busPollMs: 20, auth: { users: [customer] } });
  const flight = http(system.urls.flight);
  for (const [code, cost] of [
    ['ACE890', 200_000],
    ['KE1', 300_000],
    ['KE2', 100_000],
    ['KE3', 400_000],
    ['KE4', 250_000],
  ] as const) {
    expect((await flight.post('/flights', { flightCode: code, takeoffDate: '2025-12-25', cost, remainingSeatsCount: 5 })).status).toBe(201);
  }
  await eventually(
    () => system.services.reservation.db.query('SELECT 1 FROM flight_catalog'),
    (q) => q.rowCount === 5,
  );
  for (const [customerId, flightId] of [
    [1, 1],
    [4, 2],
    [4, 3],
  ])
    expect((await http(system.urls.reservation).post('/reservations', { customerId, flightId, seatQty: 1 })).status).toBe(201);
  token = (await http(system.urls.gateway).post('/auth/login', { username: customer.username, password: customer.password })).body.token;
});
afterAll(() => system?.stop());

type FlightItem = { id: number; flightCode: string; cost: number };
/** The fares of the embedded flights, in order. */
const costs = async (items: PromiseLike<Array<{ get(): Promise<{ data: unknown }> }>>) =>
  Promise.all((await items).map(async (r) => ((await r.get()).data as FlightItem).cost));

describe('a HAL client on the service ports', () => {
  it('follows the root to every flight: _embedded.flights, a self link on each, and page', async () => {
    const client = new Client(system.urls.flight);
    const flights = client.go('/').follow('flights');
    const items = await flights.followAll('flights');
    const states = await Promise.all(items.map((r) => r.get()));
    expect(states.map((s) => (s.data as FlightItem).flightCode)).toEqual(['ACE890', 'KE1', 'KE2', 'KE3', 'KE4']);
    expect(items[1]!.uri).toBe(new URL('/flights/2', system.urls.flight).href);
    const list = await (await flights).get();
    expect(list.data).toMatchObject({ page: { size: 20, totalElements: 5, totalPages: 1, number: 0 } });
    expect(list.links.get('self')?.href).toBe('/flights?page=0&size=20');
  });

  it('honours page, size and sort, with next and prev links', async () => {
    const client = new Client(system.urls.flight);
    const first = client.go('/flights?page=0&size=2&sort=cost,desc');
    expect((await first.get()).data).toMatchObject({ page: { size: 2, totalElements: 5, totalPages: 3, number: 0 } });
    expect(await costs(first.followAll('flights'))).toEqual([400_000, 300_000]);
    const second = await first.follow('next');
    expect(await costs(second.followAll('flights'))).toEqual([250_000, 200_000]);
    expect((await second.get()).links.get('prev')?.href).toBe('/flights?sort=cost%2Cdesc&page=0&size=2');
    const bad = await http(system.urls.flight).get('/flights?sort=secret', { accept: 'application/hal+json' });
    expect([bad.status, bad.body.field]).toEqual([400, 'sort']);
  });

  it('follows the reservation service’s root to its reservations, a page at a time', async () => {
    const client = new Client(system.urls.reservation);
    const items = await client.go('/').follow('reservations').followAll('reservations');
    expect(items).toHaveLength(3);
    const page = client.go('/reservations?size=2&sort=id,desc');
    expect((await page.get()).data).toMatchObject({ page: { size: 2, totalElements: 3, totalPages: 2, number: 0 } });
    const ids = await Promise.all((await page.followAll('reservations')).map(async (r) => ((await r.get()).data as { id: number }).id));
    expect(ids).toEqual([3, 2]);
  });

  it('follows the payment service’s root to its payments, each with its amount in minor units and its currency', async () => {
    await eventually(
      () => http(system.urls.payment).get('/payments'),
      (r) => r.body.length === 3 && r.body.every((p: { status: string }) => p.status !== 'PENDING'),
    );
    const client = new Client(system.urls.payment);
    const items = await client.go('/').follow('payments').followAll('payments');
    const payments = await Promise.all(
      items.map(async (r) => (await r.get()).data as { reservationId: number; cost: number; currency: string }),
    );
    expect(payments.map((p) => [p.reservationId, p.cost, p.currency])).toEqual([
      [1, 200_000, 'KRW'],
      [2, 300_000, 'KRW'],
      [3, 100_000, 'KRW'],
    ]);
    const page = client.go('/payments?size=2&sort=cost,desc');
    expect((await page.get()).data).toMatchObject({ page: { size: 2, totalElements: 3, totalPages: 2, number: 0 } });
    expect(await Promise.all((await page.followAll('payments')).map(async (r) => ((await r.get()).data as { cost: number }).cost))).toEqual(
      [300_000, 200_000],
    );
    const bad = await http(system.urls.payment).get('/payments?sort=cardNumber', { accept: 'application/hal+json' });
    expect([bad.status, bad.body.field]).toEqual([400, 'sort']);
  });

  it('follows the mileage service’s root to the accounts, and an account to its ledger, fares with their currency', async () => {
    await eventually(
      () => http(system.urls.mileage).get('/mileages'),
      (r) => r.body.length === 2,
    );
    const client = new Client(system.urls.mileage);
    const accounts = await Promise.all(
      (await client.go('/').follow('mileages').followAll('mileages')).map(
        async (r) => (await r.get()).data as { customerId: number; balance: number },
      ),
    );
    expect(accounts.map((a) => [a.customerId, a.balance])).toEqual([
      [1, 20_000],
      [4, 40_000],
    ]);
    const byBalance = await http(system.urls.mileage).get('/mileages?sort=balance,desc&size=1', { accept: 'application/hal+json' });
    expect(byBalance.body).toMatchObject({
      page: { size: 1, totalElements: 2, totalPages: 2, number: 0 },
      _embedded: { mileages: [{ customerId: 4 }] },
    });
    const ledger = client.go('/mileages/4').follow('ledger');
    expect((await (await ledger).get()).data).toMatchObject({ page: { totalElements: 2 } });
    const entries = await Promise.all((await ledger.followAll('ledgerEntries')).map(async (r) => (await r.get()).data));
    expect(entries).toMatchObject([
      { reservationId: 2, fare: 300_000, currency: 'KRW' },
      { reservationId: 3, fare: 100_000, currency: 'KRW' },
    ]);
    expect((await http(system.urls.mileage).get('/mileages/4/ledger')).body.map((e: { currency: string }) => e.currency)).toEqual([
      'KRW',
      'KRW',
    ]);
  });

  it('plain JSON stays the default', async () => {
    const plain = await http(system.urls.flight).get('/flights');
    expect(Array.isArray(plain.body)).toBe(true);
    expect(plain.headers.get('content-type')).toContain('application/json');
    expect((await http(system.urls.reservation).get('/reservations')).body).toHaveLength(3);
    expect(Array.isArray((await http(system.urls.payment).get('/payments')).body)).toBe(true);
    expect((await http(system.urls.mileage).get('/mileages')).body).toEqual(
      expect.arrayContaining([{ customerId: 4, balance: expect.any(Number), accrued: expect.any(Number), reversed: 0 }]),
    );
  });
});

describe('a HAL client through the gateway', () => {
  it('starts from the root, follows flights (public) and, signed in, its own reservations only', async () => {
    const client = new Client(system.urls.gateway);
    client.use(async (request, next) => {
      request.headers.set('Authorization', `Bearer ${token}`);
      return next(request);
    });
    const root = await client.go('/').get();
    expect([...root.links.getAll()].map((l) => l.rel)).toEqual(expect.arrayContaining(['flights', 'reservations']));
    const flights = await client.go('/').follow('flights').followAll('flights');
    expect(flights).toHaveLength(5);
    const mine = await Promise.all((await client.go('/').follow('reservations').followAll('reservations')).map((r) => r.get()));
    expect(mine.map((s) => (s.data as { customerId: number }).customerId)).toEqual([4, 4]);
  });

  it('a browser asking for / still gets the web UI', async () => {
    const page = await fetch(`${system.urls.gateway}/`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').toContain('text/html');
  });
});
