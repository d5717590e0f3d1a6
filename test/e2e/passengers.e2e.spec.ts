// Named passengers (issue 14): a booking names one passenger per seat; a seat count alone (the seeds'
// requests) leaves them to be named, and they can be named later. The booking reference view and the
// notifications show them, with the fare in its currency.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http } from '@airline/testing';
import { startEmbeddedSystem, FREE_PORTS, type EmbeddedSystem } from '../../runtime/system.js';

let system: EmbeddedSystem;
let reservation: ReturnType<typeof http>;
let flightId: number;
beforeAll(async () => {
  system = await startEmbeddedSystem({ ports: FREE_PORTS, busPollMs: 20 });
  reservation = http(system.urls.reservation);
  const day = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const f = await http(system.urls.flight).post('/flights', {
    flightCode: 'KE081',
    origin: 'ICN',
    destination: 'JFK',
    departureTime: `${day}T10:00`,
    arrivalTime: `${day}T11:00`,
    cost: 129_900,
    currency: 'USD',
    capacity: 9,
  });
  expect(f.status).toBe(201);
  flightId = f.body.id;
});
afterAll(() => system?.stop());

const minji = { givenName: 'Minji', familyName: 'Kim' };
const jisoo = { givenName: 'Jisoo', familyName: 'Park' };
const notificationsOf = (customerId: number, count: number) =>
  eventually(
    () => http(system.urls.notification).get(`/notifications?customerId=${customerId}`),
    (r) => r.status === 200 && r.body.length >= count,
  );

describe('passengers on a booking', () => {
  it('a booking names its passengers; the booking reference shows them and the seats still to be named, the notification too', async () => {
    const booked = await reservation.post('/reservations', { customerId: 21, flightId, seatQty: 3, passengers: [minji, jisoo] });
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ currency: 'USD', amount: 389_700 });
    const byRef = await reservation.get(`/reservations/by-reference/${booked.body.bookingReference}`);
    expect(byRef.body.passengers).toEqual([
      { ...minji, toBeNamed: false },
      { ...jisoo, toBeNamed: false },
      { givenName: null, familyName: null, toBeNamed: true },
    ]);
    const told = await notificationsOf(21, 2); // received, then confirmed
    expect(told.body.map((n: { message: string }) => n.message).join('\n')).toContain(
      'Passengers: Minji Kim, Jisoo Park and 1 to be named.',
    );
    expect(told.body.map((n: { message: string }) => n.message).join('\n')).toContain('US$3,897.00');
  });

  it('a seat count alone (the seeds) leaves every passenger to be named; they are named later', async () => {
    const booked = await reservation.post('/reservations', { customerId: 22, flightId, seatQty: 2 });
    expect(booked.status).toBe(201);
    expect(booked.body.passengers).toEqual([
      { givenName: null, familyName: null, toBeNamed: true },
      { givenName: null, familyName: null, toBeNamed: true },
    ]);
    const named = await http(system.urls.reservation).call('PUT', `/reservations/${booked.body.id}/passengers`, {
      passengers: [minji, jisoo],
    });
    expect(named.status).toBe(200);
    expect(named.body.passengers.map((p: { givenName: string | null }) => p.givenName)).toEqual(['Minji', 'Jisoo']);
    expect(
      (await reservation.get(`/reservations/${booked.body.id}`)).body.passengers.every((p: { toBeNamed: boolean }) => !p.toBeNamed),
    ).toBe(true);
    // the staff's history shows it
    await eventually(
      () => http(system.urls.dashboard).get(`/reservationHistory?reservationId=${booked.body.id}`),
      (r) => r.body.some?.((e: { type: string }) => e.type === 'PassengersNamed'),
    );
  });

  it('refuses more passengers than seats, and a blank or control-character name, naming the field; nothing written', async () => {
    const before = (await reservation.get('/reservations')).body.length;
    const cases: Array<[unknown, string]> = [
      [[minji, jisoo], 'passengers'],
      [[{ givenName: ' ', familyName: 'Kim' }], 'passengers.0.givenName'],
      [[{ givenName: 'Min\u0000ji', familyName: 'Kim' }], 'passengers.0.givenName'],
      [[{ givenName: 'Minji' }], 'passengers.0.familyName'],
    ];
    for (const [passengers, field] of cases) {
      const r = await reservation.post('/reservations', { customerId: 23, flightId, seatQty: 1, passengers });
      expect([r.status, r.body.field], JSON.stringify(passengers)).toEqual([400, field]);
    }
    expect((await reservation.get('/reservations')).body.length).toBe(before);
  });
});
