// The embedded runtime passes the flights' configuration through (issue 14): the currency of a fare
// registered without one, and how long before departure booking closes. `npm start` reads them from
// DEFAULT_CURRENCY and BOOKING_CLOSES_MINUTES.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http } from '@airline/testing';
import { startEmbeddedSystem, FREE_PORTS, type EmbeddedSystem } from '../../runtime/system.js';

let system: EmbeddedSystem;
beforeAll(async () => {
  system = await startEmbeddedSystem({ ports: FREE_PORTS, busPollMs: 20, flight: { defaultCurrency: 'EUR', bookingClosesMinutes: 120 } });
});
afterAll(() => system?.stop());

const inDays = (days: number) => new Date(Date.now() + days * 24 * 60 * 60_000).toISOString().slice(0, 10);

describe('the embedded runtime given a flight configuration', () => {
  it('prices a fare registered without a currency in the configured one, and a fare with one in its own', async () => {
    const flight = http(system.urls.flight);
    const plain = await flight.post('/flights', { flightCode: 'CF1', takeoffDate: inDays(30), cost: 12_000, remainingSeatsCount: 5 });
    expect([plain.status, plain.body.currency]).toEqual([201, 'EUR']);
    const dollars = await flight.post('/flights', {
      flightCode: 'CF2',
      takeoffDate: inDays(30),
      cost: 12_000,
      currency: 'USD',
      remainingSeatsCount: 5,
    });
    expect([dollars.status, dollars.body.currency]).toEqual([201, 'USD']);
  });

  it("carries the fare's currency to the payment and the miles earned", async () => {
    const flights = (await http(system.urls.flight).get('/flights')).body as Array<{ id: number; flightCode: string }>;
    const euros = flights.find((f) => f.flightCode === 'CF1')!;
    await eventually(
      () => system.services.reservation.db.query('SELECT 1 FROM flight_catalog WHERE flight_id = $1', [euros.id]),
      (q) => q.rowCount === 1,
    );
    const booked = await http(system.urls.reservation).post('/reservations', { customerId: 9, flightId: euros.id, seatQty: 2 });
    expect([booked.status, booked.body.currency]).toEqual([201, 'EUR']);
    const paid = await eventually(
      () => http(system.urls.payment).get(`/payments?reservationId=${booked.body.id}`),
      (r) => r.body[0]?.status === 'APPROVED',
    );
    expect(paid.body[0]).toMatchObject({ cost: 24_000, currency: 'EUR' });
    const ledger = await eventually(
      () => http(system.urls.mileage).get('/mileages/9/ledger'),
      (r) => r.body.length === 1,
    );
    expect(ledger.body[0]).toMatchObject({ fare: 24_000, currency: 'EUR', miles: 2_400 });
  });

  it('closes booking the configured minutes before a scheduled departure', async () => {
    const day = inDays(30);
    const r = await http(system.urls.flight).post('/flights', {
      flightCode: 'CF3',
      origin: 'CDG',
      destination: 'LHR',
      departureTime: `${day}T12:00`,
      arrivalTime: `${day}T12:30`,
      cost: 9_000,
      capacity: 5,
    });
    expect(r.status).toBe(201);
    expect(Date.parse(r.body.bookingClosesAt)).toBe(Date.parse(r.body.departure.utc) - 120 * 60_000);
  });

  it('refuses a configuration that is not one: an unknown currency, a negative delay', async () => {
    await expect(startEmbeddedSystem({ ports: FREE_PORTS, flight: { defaultCurrency: 'XYZ1' } })).rejects.toThrow(/ISO 4217.*XYZ1/);
    await expect(startEmbeddedSystem({ ports: FREE_PORTS, flight: { bookingClosesMinutes: -5 } })).rejects.toThrow(/-5/);
  });
});
