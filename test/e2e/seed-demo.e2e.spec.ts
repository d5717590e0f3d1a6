// The seeds' own demo (SPEC "The seeds' own demo must run as written"), over HTTP on the service ports,
// with the bodies httpie sends (`key=value` → strings).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http } from '@airline/testing';
import { startEmbeddedSystem, type EmbeddedSystem } from '../../runtime/system.js';

const FREE = { gateway: 0, reservation: 0, flight: 0, payment: 0, dashboard: 0, mileage: 0, notification: 0, processor: 0 };

describe('seed demo on the embedded runtime', () => {
  let system: EmbeddedSystem;
  beforeAll(async () => {
    system = await startEmbeddedSystem({ ports: FREE });
  });
  afterAll(() => system?.stop());

  it('books 3 of 5 seats for customer 1, sells out customer 2, leaves 2 seats', async () => {
    const flight = http(system.urls.flight);
    const reservation = http(system.urls.reservation);
    expect((await flight.post('/flights', { remainingSeatsCount: '5', flightCode: 'ACE890', takeoffDate: '2025-12-25', cost: '200000' })).status).toBe(201);
    // the flight catalog reaches the reservation service through FlightRegistered
    await eventually(() => reservation.post('/reservations', { customerId: '1', flightId: '1', seatQty: '3', reserveDate: '2024-11-21', status: 'SUCCEED' }), (r) => r.status === 201);
    await eventually(() => reservation.get('/reservations/1'), (r) => r.body.status !== 'PENDING');
    const second = await reservation.post('/reservations', { customerId: '2', flightId: '1', seatQty: '3', reserveDate: '2024-11-22', status: 'SUCCEED' });
    expect(second.status).toBe(201);
    expect(second.body.status).toBe('PENDING'); // the client's "SUCCEED" is not trusted
    const all = await eventually(() => reservation.get<any[]>('/reservations'), (r) => r.body.every((x) => x.status !== 'PENDING'));
    expect(all.body.map((r) => [r.id, r.customerId, r.status, r.cancelReason])).toEqual([
      [1, 1, 'CONFIRMED', null],
      [2, 2, 'CANCELED', 'SOLD_OUT'],
    ]);
    expect(all.body[0].bookingReference).toMatch(/^[A-Z2-9]{6}$/);
    const flights = await flight.get('/flights');
    expect(flights.body).toMatchObject([{ id: 1, flightCode: 'ACE890', remainingSeatsCount: 2 }]);
    // http :8085/customerInfos — the dashboard's read model (the same demo through the gateway, with a
    // bearer token, is in services/gateway/test/access.e2e.spec.ts)
    const infos = await eventually(() => http(system.urls.dashboard).get<any[]>('/customerInfos'), (r) => r.body.length === 2);
    expect(infos.body.map((c) => [c.customerId, c.flightCount, c.recentReserveDate])).toEqual([
      [1, 1, '2024-11-21'],
      [2, 1, '2024-11-22'],
    ]);
  });
});
