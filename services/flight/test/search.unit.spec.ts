// Search (issue 14): from, to, day of departure and passengers, answered by the availability view in
// memory, sorted by departure; flights that no longer take bookings are not offered.
import { describe, expect, it } from 'vitest';
import { AvailabilityView } from '../src/availability.js';
import type { Flight } from '../src/domain.js';

const at = (utc: string, timeZone = 'Asia/Seoul') => ({ local: 'irrelevant', timeZone, utc });
let nextId = 1;
function scheduled(over: Partial<Flight> & { dep: string }): Flight {
  const { dep, ...rest } = over;
  return {
    id: nextId++,
    flightCode: `KE${nextId}`,
    takeoffDate: '2027-01-10',
    cost: 100,
    currency: 'KRW',
    capacity: 10,
    remainingSeatsCount: 10,
    status: 'SCHEDULED',
    origin: 'ICN',
    destination: 'JFK',
    departure: at(dep),
    arrival: at('2027-01-11T00:00:00Z', 'America/New_York'),
    bookingClosesAt: new Date(Date.parse(dep) - 3_600_000).toISOString().replace('.000Z', 'Z'),
    ...rest,
  };
}
const now = new Date('2027-01-01T00:00:00Z');
const ids = (fs: Flight[]) => fs.map((f) => f.id);

describe('searching the availability view', () => {
  const view = new AvailabilityView();
  const late = scheduled({ dep: '2027-01-10T09:00:00Z' });
  const early = scheduled({ dep: '2027-01-10T01:00:00Z' });
  const full = scheduled({ dep: '2027-01-10T03:00:00Z', remainingSeatsCount: 1 });
  const cancelled = scheduled({ dep: '2027-01-10T04:00:00Z', status: 'CANCELLED' });
  const otherRoute = scheduled({ dep: '2027-01-10T02:00:00Z', destination: 'LAX' });
  const otherDay = scheduled({ dep: '2027-01-11T02:00:00Z', takeoffDate: '2027-01-11' });
  const seedShaped: Flight = {
    id: nextId++,
    flightCode: 'ACE890',
    takeoffDate: '2027-01-10',
    cost: 200_000,
    currency: 'KRW',
    capacity: 5,
    remainingSeatsCount: 5,
    status: 'SCHEDULED',
  };
  for (const f of [late, early, full, cancelled, otherRoute, otherDay, seedShaped]) view.put(f, 1);

  it('gives the flights of the route and day that can take the passengers, by departure', () => {
    expect(ids(view.search({ from: 'ICN', to: 'JFK', date: '2027-01-10', passengers: 2 }, now).flights)).toEqual([early.id, late.id]);
    expect(ids(view.search({ from: 'ICN', to: 'JFK', date: '2027-01-10', passengers: 1 }, now).flights)).toEqual([
      early.id,
      full.id,
      late.id,
    ]);
  });
  it('answers the JSON of the flights it found', () => {
    const found = view.search({ from: 'ICN', to: 'JFK', date: '2027-01-10', passengers: 2 }, now);
    expect(JSON.parse(found.json)).toEqual(found.flights);
  });
  it('takes any of its filters alone; flights in the seeds’ shape (no route, no time) match the day and come at its start', () => {
    expect(ids(view.search({ date: '2027-01-10', passengers: 5 }, now).flights)).toEqual([seedShaped.id, early.id, otherRoute.id, late.id]);
    expect(ids(view.search({ to: 'LAX', passengers: 1 }, now).flights)).toEqual([otherRoute.id]);
  });
  it('leaves out flights whose booking has closed, and its ETag changes when one closes', () => {
    const q = { from: 'ICN', to: 'JFK', date: '2027-01-10', passengers: 2 };
    const before = view.search(q, new Date('2027-01-09T23:59:59Z'));
    expect(ids(before.flights)).toEqual([early.id, late.id]);
    const after = view.search(q, new Date('2027-01-10T00:00:00Z')); // early's booking closes at 00:00:00
    expect(ids(after.flights)).toEqual([late.id]);
    expect(after.etag).not.toBe(before.etag);
    expect(view.search(q, new Date('2027-01-10T00:00:01Z')).etag).toBe(after.etag);
  });
  it('sees a change of seats at once', () => {
    view.apply({ flightId: early.id, flightSeq: 2, remainingSeatsCount: 1 });
    expect(ids(view.search({ from: 'ICN', to: 'JFK', date: '2027-01-10', passengers: 2 }, now).flights)).toEqual([late.id]);
  });
  it('takes the route and times of FlightRegistered, and the configured currency when an old event has none', () => {
    const v = new AvailabilityView({ defaultCurrency: 'KRW' });
    v.applyEvents([
      {
        type: 'FlightRegistered',
        data: {
          flightId: 50,
          flightCode: 'KE50',
          takeoffDate: '2027-01-10',
          cost: 100,
          currency: 'USD',
          capacity: 3,
          remainingSeatsCount: 3,
          origin: 'ICN',
          destination: 'JFK',
          departure: at('2027-01-10T05:00:00Z'),
          arrival: at('2027-01-10T20:00:00Z', 'America/New_York'),
          bookingClosesAt: '2027-01-10T04:00:00Z',
          flightSeq: 1,
        },
      },
      {
        type: 'FlightRegistered',
        data: { flightId: 51, flightCode: 'OLD1', takeoffDate: '2027-01-10', cost: 100, capacity: 3, remainingSeatsCount: 3 },
      },
    ]);
    expect(v.search({ from: 'ICN', to: 'JFK', date: '2027-01-10', passengers: 3 }, now).flights).toMatchObject([
      { id: 50, currency: 'USD', departure: { utc: '2027-01-10T05:00:00Z' } },
    ]);
    expect(v.get(51)?.currency).toBe('KRW');
  });
});
