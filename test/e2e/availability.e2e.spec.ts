// Seats left, as searches see them (SPEC "Reads at airline scale"): answered from the flight service's
// memory, never older than the reader's own booking, never older than 1 s for anyone (anonymous reads
// may come from the gateway's micro-cache), and equal to the database once bookings settle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, internalHttp } from '@airline/testing';
import { startEmbeddedSystem, FREE_PORTS, type EmbeddedSystem } from '../../runtime/system.js';

const customer = { username: 'reader', password: 'correct horse battery staple', role: 'customer' as const, customerId: 1 };
let system: EmbeddedSystem;
let api: ReturnType<typeof internalHttp>;
/** The gateway as customer 1 sees it, signed in. */
let signedIn: Record<string, string>;
beforeAll(async () => {
  system = await startEmbeddedSystem({ ports: FREE_PORTS, busPollMs: 20, auth: { users: [customer] } });
  api = internalHttp(system.urls);
  const login = await http(system.urls.gateway).post('/auth/login', { username: customer.username, password: customer.password });
  signedIn = { authorization: `Bearer ${login.body.token}` };
});
afterAll(() => system?.stop());

const seatsLeft = async (base: string, flightId: number, headers: Record<string, string> = {}) => {
  const one = (await http(base).get(`/flights/${flightId}`, headers)).body.remainingSeatsCount as number;
  const listed = ((await http(base).get('/flights', headers)).body as Array<{ id: number; remainingSeatsCount: number }>).find(
    (f) => f.id === flightId,
  )!.remainingSeatsCount;
  return { one, listed };
};

describe('seats left', () => {
  it("are never older than the reader's own booking: the read right after the hold shows it, on the service and through the gateway signed in", async () => {
    const flight = (await api.post('/flights', { flightCode: 'KE90', takeoffDate: '2027-02-01', cost: 100, capacity: 10 })).body;
    for (const seatQty of [3, 2, 1]) {
      const before = (await seatsLeft(system.urls.flight, flight.id)).one;
      const booked = await http(system.urls.gateway).post('/reservations', { customerId: 1, flightId: flight.id, seatQty }, signedIn);
      expect(booked.status).toBe(201);
      // the moment the flight's answer is in the log, the hold has committed: the next read must show it
      await eventually(
        () => system.bus.read({ correlationId: String(booked.body.id), types: ['SeatsReserved'] }),
        (e) => e.length === 1,
        { everyMs: 1 },
      );
      expect(await seatsLeft(system.urls.flight, flight.id)).toEqual({ one: before - seatQty, listed: before - seatQty });
      expect(await seatsLeft(system.urls.gateway, flight.id, signedIn)).toEqual({ one: before - seatQty, listed: before - seatQty });
      // anonymous searches share the gateway's micro-cache: the same seats within its lifetime, well inside 1 s
      const held = Date.now();
      await eventually(
        () => seatsLeft(system.urls.gateway, flight.id),
        (s) => s.one === before - seatQty && s.listed === before - seatQty,
        { everyMs: 5 },
      );
      expect(Date.now() - held).toBeLessThan(1_000); // the freshness bound of the product (not a speed figure)
    }
    const cancelled = await api.post(`/flights/${flight.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect((await http(system.urls.gateway).get(`/flights/${flight.id}`, signedIn)).body.status).toBe('CANCELLED');
  });

  it('equal what the database holds once concurrent bookings and cancellations have settled', async () => {
    const flights = await Promise.all(
      [0, 1, 2].map(
        async (i) =>
          (await api.post('/flights', { flightCode: `KE10${i}`, takeoffDate: '2027-02-02', cost: 100, capacity: 7 })).body as {
            id: number;
          },
      ),
    );
    const booked = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        api.post('/reservations', { customerId: 100 + i, flightId: flights[i % 3]!.id, seatQty: 1 + (i % 3) }),
      ),
    );
    const ids = booked.map((r) => r.body.id as number);
    await Promise.all(ids.filter((_, i) => i % 4 === 0).map((id) => api.post(`/reservations/${id}/cancel`)));
    await eventually(
      () => Promise.all(ids.map((id) => api.get(`/reservations/${id}`))),
      (rs) => rs.every((r) => r.body.status !== 'PENDING'),
    );
    // every release has reached the flight too (a cancel of a held booking gives its seats back)
    await eventually(
      () => Promise.all(flights.map((f) => api.get(`/flights/${f.id}/seats`))),
      (rs) => rs.every((r) => r.body.held === 0),
    );
    const table = await system.services.flight.db.query<{ id: number; remaining_seats_count: number; status: string }>(
      'SELECT id, remaining_seats_count, status FROM flights WHERE id = ANY($1::int[]) ORDER BY id',
      [flights.map((f) => f.id)],
    );
    const listed = (await api.get<Array<{ id: number; remainingSeatsCount: number; status: string }>>('/flights')).body.filter((f) =>
      flights.some((x) => x.id === f.id),
    );
    expect(listed.map((f) => [f.id, f.remainingSeatsCount, f.status])).toEqual(
      table.rows.map((r) => [r.id, r.remaining_seats_count, r.status]),
    );
  });
});
