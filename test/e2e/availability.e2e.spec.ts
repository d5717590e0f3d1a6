// Seats left, as searches see them (SPEC "Reads at airline scale"): answered from the flight service's
// memory, never older than the reader's own booking, and equal to the database once bookings settle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, internalHttp } from '@airline/testing';
import { startEmbeddedSystem, FREE_PORTS, type EmbeddedSystem } from '../../runtime/system.js';

let system: EmbeddedSystem;
let api: ReturnType<typeof internalHttp>;
beforeAll(async () => {
  system = await startEmbeddedSystem({ ports: FREE_PORTS, busPollMs: 20 });
  api = internalHttp(system.urls);
});
afterAll(() => system?.stop());

const seatsLeft = async (base: string, flightId: number) => {
  const one = (await http(base).get(`/flights/${flightId}`)).body.remainingSeatsCount as number;
  const listed = ((await http(base).get('/flights')).body as Array<{ id: number; remainingSeatsCount: number }>).find((f) => f.id === flightId)!.remainingSeatsCount;
  return { one, listed };
};

describe('seats left', () => {
  it("are never older than the reader's own booking: the read right after the hold shows it, on the service and through the gateway", async () => {
    const flight = (await api.post('/flights', { flightCode: 'KE90', takeoffDate: '2027-02-01', cost: 100, capacity: 10 })).body;
    for (const seatQty of [3, 2, 1]) {
      const before = (await seatsLeft(system.urls.flight, flight.id)).one;
      const booked = await api.post('/reservations', { customerId: 1, flightId: flight.id, seatQty });
      expect(booked.status).toBe(201);
      // the moment the flight's answer is in the log, the hold has committed: the next read must show it
      await eventually(() => system.bus.read({ correlationId: String(booked.body.id), types: ['SeatsReserved'] }), (e) => e.length === 1, { everyMs: 1 });
      expect(await seatsLeft(system.urls.flight, flight.id)).toEqual({ one: before - seatQty, listed: before - seatQty });
      expect(await seatsLeft(system.urls.gateway, flight.id)).toEqual({ one: before - seatQty, listed: before - seatQty });
    }
    const cancelled = await api.post(`/flights/${flight.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect((await http(system.urls.gateway).get(`/flights/${flight.id}`)).body.status).toBe('CANCELLED');
  });

  it('equal what the database holds once concurrent bookings and cancellations have settled', async () => {
    const flights = await Promise.all([0, 1, 2].map(async (i) => (await api.post('/flights', { flightCode: `KE10${i}`, takeoffDate: '2027-02-02', cost: 100, capacity: 7 })).body as { id: number }));
    const booked = await Promise.all(
      Array.from({ length: 30 }, (_, i) => api.post('/reservations', { customerId: 100 + i, flightId: flights[i % 3]!.id, seatQty: 1 + (i % 3) })),
    );
    const ids = booked.map((r) => r.body.id as number);
    await Promise.all(ids.filter((_, i) => i % 4 === 0).map((id) => api.post(`/reservations/${id}/cancel`)));
    await eventually(() => Promise.all(ids.map((id) => api.get(`/reservations/${id}`))), (rs) => rs.every((r) => r.body.status !== 'PENDING'));
    // every release has reached the flight too (a cancel of a held booking gives its seats back)
    await eventually(() => Promise.all(flights.map((f) => api.get(`/flights/${f.id}/seats`))), (rs) => rs.every((r) => r.body.held === 0));
    const table = await system.services.flight.db.query<{ id: number; remaining_seats_count: number; status: string }>('SELECT id, remaining_seats_count, status FROM flights WHERE id = ANY($1::int[]) ORDER BY id', [flights.map((f) => f.id)]);
    const listed = (await api.get<Array<{ id: number; remainingSeatsCount: number; status: string }>>('/flights')).body.filter((f) => flights.some((x) => x.id === f.id));
    expect(listed.map((f) => [f.id, f.remainingSeatsCount, f.status])).toEqual(table.rows.map((r) => [r.id, r.remaining_seats_count, r.status]));
  });
});
