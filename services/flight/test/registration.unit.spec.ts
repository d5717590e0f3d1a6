// Registering a flight (issue 14): a scheduled flight has a route and local times in its airports'
// zones, stored as UTC; it leaves in the future and arrives after it leaves; it has at least one seat;
// its fare has an ISO 4217 currency. A flight in the seeds' shape (takeoffDate only) is taken as the seeds take it.
import { describe, expect, it } from 'vitest';
import { airports, localToUtc } from '../src/airports.js';
import { decideRegistration, onSale, type RegisterFlight, type RegistrationRules } from '../src/domain.js';

const rules: RegistrationRules = {
  now: new Date('2026-12-02T00:00:00Z'),
  airport: (code) => airports().get(code),
  toUtc: localToUtc,
  defaultCurrency: 'KRW',
  bookingClosesMinutes: 60,
  isCurrency: (code) => Intl.supportedValuesOf('currency').includes(code),
};
const scheduled: RegisterFlight = {
  flightCode: 'KE081',
  origin: 'ICN',
  destination: 'JFK',
  departureTime: '2027-01-10T10:00',
  arrivalTime: '2027-01-10T11:00',
  cost: 1_500_000,
  capacity: 300,
};
const refusal = (input: RegisterFlight, r: Partial<RegistrationRules> = {}) => {
  const d = decideRegistration(input, { ...rules, ...r });
  return d.ok ? undefined : d.field;
};

describe('the airport table', () => {
  it('knows IATA code, name, city, country and time zone', () => {
    expect(airports().get('icn')).toMatchObject({ code: 'ICN', city: 'Seoul', country: 'KR', timeZone: 'Asia/Seoul' });
    expect(airports().get('JFK')).toMatchObject({ timeZone: 'America/New_York', country: 'US' });
    expect(airports().get('ZZZ')).toBeUndefined();
  });
  it('finds airports by code first, then by city or name, accents aside', () => {
    expect(airports().search('jfk', 5)[0]!.code).toBe('JFK');
    expect(
      airports()
        .search('seoul', 10)
        .map((a) => a.code),
    ).toEqual(expect.arrayContaining(['ICN', 'GMP']));
    expect(
      airports()
        .search('sao paulo', 10)
        .map((a) => a.code),
    ).toContain('GRU');
    expect(airports().search('  ', 10)).toEqual([]);
  });
});

describe('registering a scheduled flight', () => {
  it('keeps the local times with their airports’ zones and stores the instants in UTC', () => {
    const d = decideRegistration(scheduled, rules);
    expect(d).toEqual({
      ok: true,
      flight: {
        flightCode: 'KE081',
        cost: 1_500_000,
        currency: 'KRW',
        capacity: 300,
        remainingSeatsCount: 300,
        takeoffDate: '2027-01-10',
        origin: 'ICN',
        destination: 'JFK',
        departure: { local: '2027-01-10T10:00', timeZone: 'Asia/Seoul', utc: '2027-01-10T01:00:00Z' },
        arrival: { local: '2027-01-10T11:00', timeZone: 'America/New_York', utc: '2027-01-10T16:00:00Z' },
        bookingClosesAt: '2027-01-10T00:00:00Z',
      },
    });
  });
  it('closes booking the configured time before departure', () => {
    const d = decideRegistration(scheduled, { ...rules, bookingClosesMinutes: 180 });
    expect(d.ok && d.flight.bookingClosesAt).toBe('2027-01-09T22:00:00Z');
  });
  it('refuses a departure in the past, naming departureTime', () => {
    expect(refusal({ ...scheduled, departureTime: '2020-01-01T10:00', arrivalTime: '2020-01-01T11:00' })).toBe('departureTime');
    expect(refusal(scheduled, { now: new Date('2027-01-10T01:00:00Z') })).toBe('departureTime');
    expect(refusal(scheduled, { now: new Date('2027-01-10T00:59:00Z') })).toBeUndefined();
  });
  it('refuses an arrival that is not after the departure (in UTC, not on the wall clocks)', () => {
    // 10:00 in Seoul is 20:00 the day before in New York
    expect(refusal({ ...scheduled, arrivalTime: '2027-01-09T20:00' })).toBe('arrivalTime');
    expect(refusal({ ...scheduled, arrivalTime: '2027-01-09T20:01' })).toBeUndefined();
  });
  it('refuses a local time the zone’s clocks skip', () => {
    expect(
      refusal({ ...scheduled, origin: 'JFK', destination: 'ICN', departureTime: '2027-03-14T02:30', arrivalTime: '2027-03-15T06:00' }),
    ).toBe('departureTime');
  });
  it('refuses unknown airports, the same airport twice, and a route given in part', () => {
    expect(refusal({ ...scheduled, origin: 'QQQ' })).toBe('origin');
    expect(refusal({ ...scheduled, destination: 'ICN' })).toBe('destination');
    const { arrivalTime: _, ...noArrival } = scheduled;
    expect(refusal(noArrival)).toBe('arrivalTime');
  });
  it('takes takeoffDate only when it is the day of departure', () => {
    expect(refusal({ ...scheduled, takeoffDate: '2027-01-10' })).toBeUndefined();
    expect(refusal({ ...scheduled, takeoffDate: '2027-01-11' })).toBe('takeoffDate');
  });
});

describe('any flight', () => {
  it('has at least one seat', () => {
    expect(refusal({ ...scheduled, capacity: 0 })).toBe('capacity');
    expect(refusal({ flightCode: 'A1', takeoffDate: '2027-01-01', cost: 1, remainingSeatsCount: 0 })).toBe('remainingSeatsCount');
    expect(refusal({ flightCode: 'A1', takeoffDate: '2027-01-01', cost: 1 })).toBe('capacity');
    expect(refusal({ ...scheduled, capacity: 2, remainingSeatsCount: 3 })).toBe('remainingSeatsCount');
  });
  it('has a fare in an ISO 4217 currency: its own, or the configured default', () => {
    const usd = decideRegistration({ ...scheduled, currency: 'USD', cost: 129_900 }, rules);
    expect(usd.ok && usd.flight.currency).toBe('USD');
    const dflt = decideRegistration(scheduled, { ...rules, defaultCurrency: 'EUR' });
    expect(dflt.ok && dflt.flight.currency).toBe('EUR');
    expect(refusal({ ...scheduled, currency: 'XYZ' })).toBe('currency');
  });
  it('in the seeds’ shape (takeoffDate, no route) is taken as the seeds take it, its day in the past included', () => {
    const d = decideRegistration({ flightCode: 'ACE890', takeoffDate: '2025-12-25', cost: 200_000, remainingSeatsCount: 5 }, rules);
    expect(d).toEqual({
      ok: true,
      flight: { flightCode: 'ACE890', takeoffDate: '2025-12-25', cost: 200_000, currency: 'KRW', capacity: 5, remainingSeatsCount: 5 },
    });
    expect(onSale({ status: 'SCHEDULED' }, rules.now)).toBe(true);
  });
  it('with neither a route nor a takeoffDate is refused, naming departureTime', () => {
    expect(refusal({ flightCode: 'A1', cost: 1, capacity: 1 })).toBe('departureTime');
  });
});

describe('on sale', () => {
  it('until booking closes, and never once cancelled', () => {
    const closes = '2027-01-10T00:00:00Z';
    expect(onSale({ status: 'SCHEDULED', bookingClosesAt: closes }, new Date('2027-01-09T23:59:59Z'))).toBe(true);
    expect(onSale({ status: 'SCHEDULED', bookingClosesAt: closes }, new Date(closes))).toBe(false);
    expect(onSale({ status: 'CANCELLED', bookingClosesAt: closes }, new Date('2026-01-01T00:00:00Z'))).toBe(false);
  });
});
