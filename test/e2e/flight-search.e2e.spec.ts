// Flights as on an airline's site (issue 14): airports, routes and local times; a second flight with the
// same code on the same day, a departure in the past and a flight with no seat refused; search by from,
// to, date and passengers from the availability view, sorted by departure; booking closed before departure.
// Times are relative to now, so the spec keeps meaning the same whenever it runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http } from '@airline/testing';
import { startEmbeddedSystem, FREE_PORTS, type EmbeddedSystem } from '../../runtime/system.js';

let system: EmbeddedSystem;
let flight: ReturnType<typeof http>;
let reservation: ReturnType<typeof http>;
beforeAll(async () => {
  system = await startEmbeddedSystem({ ports: FREE_PORTS, busPollMs: 20 });
  flight = http(system.urls.flight);
  reservation = http(system.urls.reservation);
});
afterAll(() => system?.stop());

/** The wall clock in a zone `minutes` from now, as `YYYY-MM-DDThh:mm`. */
function localIn(timeZone: string, minutes: number): string {
  const parts = new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(Date.now() + minutes * 60_000));
  return parts.replace(' ', 'T');
}
const DAYS = 24 * 60;
// a day 40 days ahead, at 01:00–22:00 Seoul time (never across midnight there)
const day = localIn('Asia/Seoul', 40 * DAYS).slice(0, 10);
const icnJfk = (code: string, hhmm: string, over: Record<string, unknown> = {}) => ({
  flightCode: code,
  origin: 'ICN',
  destination: 'JFK',
  departureTime: `${day}T${hhmm}`,
  arrivalTime: `${day}T${hhmm}`,
  cost: 1_500_000,
  capacity: 3,
  ...over,
});

describe('registering flights with routes and times', () => {
  it('keeps the local times with their zones and the UTC instant, and says where the flight is', async () => {
    const r = await flight.post('/flights', icnJfk('KE081', '10:00'));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      flightCode: 'KE081',
      origin: 'ICN',
      destination: 'JFK',
      takeoffDate: day,
      currency: 'KRW',
      capacity: 3,
      remainingSeatsCount: 3,
      departure: { local: `${day}T10:00`, timeZone: 'Asia/Seoul' },
      arrival: { local: `${day}T10:00`, timeZone: 'America/New_York' },
    });
    expect(Date.parse(r.body.departure.utc)).toBe(Date.parse(`${day}T01:00:00Z`));
    expect(Date.parse(r.body.bookingClosesAt)).toBe(Date.parse(r.body.departure.utc) - 60 * 60_000);
    expect((await flight.get(`/flights/${r.body.id}`)).body).toEqual(r.body);
  });

  it('refuses a second flight with the same code on the same day: 409 naming flightCode, nothing written', async () => {
    const before = (await flight.get('/flights')).body.length;
    const again = await flight.post('/flights', icnJfk('ke081', '18:00'));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ field: 'flightCode' });
    expect(again.body.detail).toContain(day);
    expect((await flight.get('/flights')).body.length).toBe(before);
    // the same code on another day is another flight
    const nextDay = localIn('Asia/Seoul', 41 * DAYS).slice(0, 10);
    expect(
      (await flight.post('/flights', { ...icnJfk('KE081', '10:00'), departureTime: `${nextDay}T10:00`, arrivalTime: `${nextDay}T10:00` }))
        .status,
    ).toBe(201);
  });

  it('refuses a departure in the past, a flight with no seat, and an unknown airport: 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...icnJfk('PAST1', '10:00'), departureTime: '2020-01-01T10:00', arrivalTime: '2020-01-01T12:00' }, 'departureTime'],
      [icnJfk('NOSEAT', '10:00', { capacity: 0 }), 'capacity'],
      [{ flightCode: 'NOSEAT2', takeoffDate: day, cost: 1, remainingSeatsCount: 0 }, 'remainingSeatsCount'],
      [icnJfk('NOWHERE', '10:00', { origin: 'QQQ' }), 'origin'],
      [icnJfk('MONEY', '10:00', { currency: 'XYZ' }), 'currency'],
    ];
    for (const [body, field] of cases) {
      const r = await flight.post('/flights', body);
      expect([r.status, r.body.field], JSON.stringify(body)).toEqual([400, field]);
    }
  });

  it('still takes the seeds’ flight as the seeds send it (a past takeoffDate, no route), and returns the seeds’ fields', async () => {
    const r = await flight.post('/flights', { remainingSeatsCount: '5', flightCode: 'ACE890', takeoffDate: '2025-12-25', cost: '200000' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      flightCode: 'ACE890',
      takeoffDate: '2025-12-25',
      cost: 200000,
      currency: 'KRW',
      remainingSeatsCount: 5,
    });
    expect(r.body.origin).toBeUndefined();
  });
});

describe('searching', () => {
  it('gives the flights of the route and day with seats for the passengers, sorted by departure, from memory', async () => {
    // registered out of order; KE085 has 1 seat, another route and another day are not asked for
    const late = (await flight.post('/flights', icnJfk('KE087', '21:00', { capacity: 5 }))).body;
    const one = (await flight.post('/flights', icnJfk('KE085', '07:00', { capacity: 1 }))).body;
    const early = (await flight.post('/flights', icnJfk('OZ222', '06:00', { capacity: 5, currency: 'USD', cost: 129_900 }))).body;
    await flight.post('/flights', icnJfk('KE011', '09:00', { destination: 'LAX', capacity: 5 }));
    const q = `/flights?from=ICN&to=JFK&date=${day}&passengers=2`;
    const found = await flight.get(q);
    expect(found.status).toBe(200);
    const ke081 = (await flight.get('/flights')).body.find(
      (f: { flightCode: string; takeoffDate: string }) => f.flightCode === 'KE081' && f.takeoffDate === day,
    );
    expect(found.body.map((f: { id: number }) => f.id)).toEqual([early.id, ke081.id, late.id]);
    expect(found.body[0]).toMatchObject({ currency: 'USD', cost: 129_900 });
    expect((await flight.get(`/flights?from=icn&to=jfk&date=${day}&passengers=1`)).body.map((f: { id: number }) => f.id)).toEqual([
      early.id,
      one.id,
      ke081.id,
      late.id,
    ]);
    // unchanged: 304 on its ETag; a booking that takes seats changes the answer
    const etag = found.headers.get('etag')!;
    expect((await flight.get(q, { 'if-none-match': etag })).status).toBe(304);
    const booked = await reservation.post('/reservations', { customerId: 9, flightId: ke081.id, seatQty: 2 });
    expect(booked.status).toBe(201);
    await eventually(
      () => flight.get(q),
      (r) => !r.body.some((f: { id: number }) => f.id === ke081.id),
    );
    expect((await flight.get(q, { 'if-none-match': etag })).status).toBe(200);
  });

  it('refuses bad search input with a 400 naming the field', async () => {
    for (const [query, field] of [
      ['passengers=0', 'passengers'],
      ['date=2027-02-30', 'date'],
      ['from=IC', 'from'],
      ['to=J%00K', 'to'],
    ] as const) {
      const r = await flight.get(`/flights?${query}`);
      expect([r.status, r.body.field], query).toEqual([400, field]);
    }
  });

  it('looks airports up for autocomplete', async () => {
    const r = await flight.get('/airports?q=seoul');
    expect(r.body.map((a: { code: string }) => a.code)).toEqual(expect.arrayContaining(['ICN', 'GMP']));
    expect((await flight.get('/airports/jfk')).body).toMatchObject({ code: 'JFK', city: 'New York City', timeZone: 'America/New_York' });
    expect((await flight.get('/airports/QQQ')).status).toBe(404);
  });
});

describe('booking closes before departure', () => {
  it('a flight leaving in 30 minutes (booking closed 60 minutes before) is not offered, and a booking of it is a 409 naming flightId', async () => {
    const soon = await flight.post('/flights', {
      flightCode: 'SOON1',
      origin: 'ICN',
      destination: 'GMP',
      departureTime: localIn('Asia/Seoul', 30),
      arrivalTime: localIn('Asia/Seoul', 90),
      cost: 50_000,
      capacity: 9,
    });
    expect(soon.status).toBe(201);
    const date = soon.body.takeoffDate;
    expect((await flight.get(`/flights?from=ICN&to=GMP&date=${date}`)).body).toEqual([]);
    const r = await reservation.post('/reservations', { customerId: 1, flightId: soon.body.id, seatQty: 1 });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ field: 'flightId', code: 'BOOKING_CLOSED', bookingClosesAt: expect.any(String) });
    expect((await reservation.get(`/reservations?flightId=${soon.body.id}`)).body).toEqual([]);
  });
});
