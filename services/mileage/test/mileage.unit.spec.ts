import { describe, expect, it } from 'vitest';
import { envelope, eventRoutes, type ReservationCancelled, type ReservationConfirmed } from '@airline/contracts';
import { accountOf, DEFAULT_RATE_BASIS_POINTS, ledgerEntryFor, milesFor, rateFromPercent } from '../src/mileage.js';
import { mileageHandlers } from '../src/handlers.js';

const summary = {
  reservationId: 7,
  bookingReference: 'ABC234',
  customerId: 3,
  flightId: 1,
  seatQty: 3,
  amount: 600_000,
  reserveDate: '2024-11-21',
};
const meta = (n: number) => ({
  eventId: `00000000-0000-4000-8000-00000000000${n}`,
  occurredAt: `2026-01-01T00:00:0${n}.000Z`,
  correlationId: '7',
  causationId: null,
});
const confirmed = envelope({ type: 'ReservationConfirmed', data: summary }, meta(1)) as ReservationConfirmed;
const cancelled = (previousStatus: 'PENDING' | 'CONFIRMED', reason: ReservationCancelled['data']['reason'] = 'CUSTOMER') =>
  envelope({ type: 'ReservationCancelled', data: { ...summary, reason, previousStatus } }, meta(2)) as ReservationCancelled;

describe('miles for a fare', () => {
  it('are 10 % of the amount paid by default', () => expect(milesFor(600_000, DEFAULT_RATE_BASIS_POINTS)).toBe(60_000));
  it('are rounded down to whole miles', () => expect(milesFor(999, DEFAULT_RATE_BASIS_POINTS)).toBe(99));
  it('use integer arithmetic (29 % of 100 is 29)', () => expect(milesFor(100, rateFromPercent(29))).toBe(29));
  it('are 0 for a free fare or a 0 % rate', () => {
    expect(milesFor(0, 1000)).toBe(0);
    expect(milesFor(500, 0)).toBe(0);
  });
  it('refuse a negative or fractional fare and a fractional rate', () => {
    expect(() => milesFor(-1, 1000)).toThrow(RangeError);
    expect(() => milesFor(1.5, 1000)).toThrow(RangeError);
    expect(() => milesFor(100, 12.5)).toThrow(RangeError);
  });
  it('take the rate as a percentage from configuration', () => {
    expect(rateFromPercent(10)).toBe(1000);
    expect(rateFromPercent(2.5)).toBe(250);
    expect(() => rateFromPercent(-1)).toThrow(RangeError);
    expect(() => rateFromPercent(Number.NaN)).toThrow(RangeError);
  });
});

describe('the ledger entry an event asks for', () => {
  it('given a confirmed booking, accrues miles for its fare', () =>
    expect(ledgerEntryFor(confirmed, undefined, 1000)).toEqual({
      customerId: 3,
      reservationId: 7,
      kind: 'ACCRUAL',
      miles: 60_000,
      fare: 600_000,
      currency: 'KRW',
      rateBasisPoints: 1000,
      eventId: confirmed.eventId,
      occurredAt: confirmed.occurredAt,
    }));

  it("keeps the currency of the fare the event states (KRW, the seeds' currency, when it states none)", () => {
    const euros = envelope(
      { type: 'ReservationConfirmed', data: { ...summary, amount: 45_000, currency: 'EUR' } },
      meta(3),
    ) as ReservationConfirmed;
    expect(ledgerEntryFor(euros, undefined, 1000)).toMatchObject({ fare: 45_000, currency: 'EUR', miles: 4_500 });
    expect(ledgerEntryFor(confirmed, undefined, 1000)?.currency).toBe('KRW');
  });

  it('given a cancelled confirmed booking, reverses exactly the miles accrued, even after a rate change', () =>
    expect(ledgerEntryFor(cancelled('CONFIRMED'), { miles: 60_000, rateBasisPoints: 1000 }, 2500)).toMatchObject({
      kind: 'REVERSAL',
      miles: -60_000,
      rateBasisPoints: 1000,
    }));

  it('given the cancel before the confirm (out of order), reverses what the confirm will accrue', () => {
    const reversal = ledgerEntryFor(cancelled('CONFIRMED', 'FLIGHT_CANCELLED'), undefined, 1000)!;
    const accrual = ledgerEntryFor(confirmed, undefined, 1000)!;
    expect(reversal.miles + accrual.miles).toBe(0);
  });

  it('given a booking cancelled before it was confirmed, does nothing', () => {
    for (const reason of ['SOLD_OUT', 'PAYMENT_DECLINED', 'PAYMENT_TIMEOUT', 'CUSTOMER', 'FLIGHT_CANCELLED'] as const) {
      expect(ledgerEntryFor(cancelled('PENDING', reason), undefined, 1000)).toBeNull();
    }
  });
});

describe('a mileage account', () => {
  it('is the accruals minus the reversals', () =>
    expect(accountOf(3, [{ miles: 100 }, { miles: 50 }, { miles: -100 }])).toEqual({
      customerId: 3,
      balance: 50,
      accrued: 150,
      reversed: 100,
    }));
  it('is empty for a customer without entries', () =>
    expect(accountOf(9, [])).toEqual({ customerId: 9, balance: 0, accrued: 0, reversed: 0 }));
});

describe('the AsyncAPI routing table', () => {
  it('lists mileage as a consumer of exactly the events it handles', () => {
    const listed = Object.entries(eventRoutes)
      .filter(([, r]) => r.consumers.includes('mileage'))
      .map(([t]) => t);
    expect(listed.sort()).toEqual(Object.keys(mileageHandlers(1000)).sort());
  });
});
